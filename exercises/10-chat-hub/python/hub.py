"""Lesson 10's hub: rooms shared by every Chat stream.

One lock numbers a message and queues it for every member of its room, so
every member sees the room's messages in one gap-free order (H3, H4). Each
stream has an outbox: a queue that its own writer (the handler's generator)
drains, one message per yield.
"""
import collections
import threading

import course_kit as kit
from course_kit import StatusCode, pb

HALF_CLOSED = "half-closed"  # an outbox's end: deliver what waits, then OK


class Outbox:
    """One stream: its rooms, its waiting messages, and how it ends."""

    def __init__(self, lock, context):
        self.context = context
        self.ready = threading.Condition(lock)  # the hub's lock: one lock for all
        self.waiting = collections.deque()
        self.rooms = set()
        self.open = True  # false once the stream has left the hub
        self.end = None   # HALF_CLOSED, or (code, why, field) to end with


class Room:
    def __init__(self):
        self.last_seq = 0
        self.members = {}  # Outbox -> None: a set that keeps the join order


class Hub:
    def __init__(self):
        self.lock = threading.Lock()
        self.rooms = {}

    def outbox(self, context):
        return Outbox(self.lock, context)

    def post(self, sender, message):
        """Task 2 and 4 (H2-H4), task 6 (H6). False once `sender` has left."""
        # TODO(task 2): under self.lock: False if the sender is no longer
        #               open; the room (self.rooms.setdefault) gains the
        #               sender if it is new there (and sender.rooms the room).
        # TODO(task 4): still under the lock, the room's next seq, and a copy
        #               of the message with it appended to every member's
        #               waiting queue, each member.ready.notify()'d.
        # TODO(task 6): a member with more than kit.MAX_WAITING waiting leaves
        #               (_leave_locked with a RESOURCE_EXHAUSTED end) while
        #               still locked; after unlocking, kit.end_now(its
        #               context, StatusCode.RESOURCE_EXHAUSTED, why).
        return False

    def leave(self, member, end):
        """Task 5: the stream leaves every room; its writer ends with `end`."""
        with self.lock:
            self._leave_locked(member, end)

    def _leave_locked(self, member, end):
        # TODO(task 5): only the first end counts. Take the member out of
        #               every room it joined, set open False and end; drop
        #               its waiting messages unless end is HALF_CLOSED; then
        #               member.ready.notify() to wake its writer.
        pass

    def next_message(self, member):
        """The writer's side: the next message to send, or None at the end.
        Waits while the stream is open and nothing waits."""
        # TODO(task 1): under self.lock, member.ready.wait() while the member
        #               is open with nothing waiting; then pop the first
        #               waiting message, or return None.
        return None
