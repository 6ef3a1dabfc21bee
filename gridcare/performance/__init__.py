"""Performance management for grid workers (绩效): indicators, points, quarterly ranks."""
