"""Lesson 10's hub, solved: rooms shared by every Chat stream.

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
        overflowing = []
        with self.lock:
            if not sender.open:
                return False
            room = self.rooms.setdefault(message.room, Room())
            if sender not in room.members:  # H2: a stream joins with its first message
                room.members[sender] = None
                sender.rooms.add(message.room)
            room.last_seq += 1  # H3, H4: numbered and queued under one lock
            out = pb.Message(room=message.room, sender=message.sender, text=message.text,
                             seq=room.last_seq)
            for member in room.members:
                member.waiting.append(out)
                if len(member.waiting) > kit.MAX_WAITING:
                    overflowing.append(member)
                member.ready.notify()
            for member in overflowing:  # task 6: dropped while still locked
                self._leave_locked(member, (StatusCode.RESOURCE_EXHAUSTED,
                                            f"more than {kit.MAX_WAITING} messages wait for "
                                            "this stream: it reads too slowly", None))
        for member in overflowing:
            # Its writer is stuck in a yield that flow control holds back, so
            # it cannot end the call itself: end it from here, at once.
            kit.end_now(member.context, StatusCode.RESOURCE_EXHAUSTED,
                        "this stream reads too slowly")
        return True

    def leave(self, member, end):
        """Task 5: the stream leaves every room; its writer ends with `end`."""
        with self.lock:
            self._leave_locked(member, end)

    def _leave_locked(self, member, end):
        if not member.open:
            return  # the first end wins
        for name in member.rooms:
            self.rooms[name].members.pop(member, None)
        member.rooms.clear()
        member.open, member.end = False, end
        if end is not HALF_CLOSED:
            member.waiting.clear()  # an error or a cancel drops what waits
        member.ready.notify()

    def next_message(self, member):
        """The writer's side: the next message to send, or None at the end.
        Waits while the stream is open and nothing waits."""
        with self.lock:
            while member.open and not member.waiting:
                member.ready.wait()
            return member.waiting.popleft() if member.waiting else None
