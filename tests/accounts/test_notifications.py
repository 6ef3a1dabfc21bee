from gridcare.accounts import notifications
from gridcare.extensions import db


def test_a_message_sent_twice_with_the_same_key_reaches_each_user_once(make):
    first, second = make.user(), make.user()
    sent = [
        notifications.notify(
            [first.id, second.id, first.id], "hazard_escalated", entity="hazard", dedupe="h1"
        )
        for _ in range(2)
    ]
    db.session.commit()
    assert sent == [2, 0]
    assert notifications.unread_count(first.id) == 1
    assert notifications.unread_count(second.id) == 1


def test_the_inbox_lists_unread_messages_before_read_ones(make):
    user = make.user()
    notifications.notify([user.id], "overdue_digest", dedupe="day1")
    notifications.notify([user.id], "overdue_digest", dedupe="day2")
    db.session.commit()
    older, newer = sorted(notifications.notifications_for(user.id), key=lambda n: n.id)
    notifications.mark_read(user.id, [newer.id])
    assert [n.id for n in notifications.notifications_for(user.id)] == [older.id, newer.id]
    assert notifications.unread_count(user.id) == 1


def test_marking_all_read_leaves_other_users_messages_unread(make):
    reader, other = make.user(), make.user()
    notifications.notify([reader.id, other.id], "overdue_digest")
    db.session.commit()
    assert notifications.mark_read(reader.id) == 1
    assert notifications.unread_count(reader.id) == 0
    assert notifications.unread_count(other.id) == 1
