"""The household page: one home as the registry, visits and hazards each see it.

It sits above every domain it shows, so none of them has to import a domain above it
(the registry would otherwise reach up into hazards for the page's list).
"""
