#!/usr/bin/python3
"""Lesson 05, bidirectional streaming, in Python: ChatService.Chat as an echo.

Read lessons/05-bidi-streaming/README.md first (its "In Python" section).
Every other RPC (UserService.Chat included) is served for you by the kit.

A bidirectional stream is both shapes at once: the handler reads a request
iterator and is itself a generator. Here each message is echoed as soon as
it is read, so the echo is full duplex without a thread of its own.
"""
import threading

import course_kit as kit
from course_kit import pb


class RoomSeq:
    """The one piece of state all streams share: the last seq of each room."""

    def __init__(self):
        self._lock = threading.Lock()  # handlers of different calls run at once
        self._last = {}

    def next(self, room):
        """Task 2 (H3): 1 for the room's first message, then one more."""
        with self._lock:
            self._last[room] = self._last.get(room, 0) + 1
            return self._last[room]


def problem(message):
    """Task 1 (H1): (field, why) for an invalid message, or None."""
    room = len(message.room.encode("utf-8"))
    text = len(message.text.encode("utf-8"))
    if not 1 <= room <= kit.MAX_ROOM_BYTES:
        return "room", f"room must be 1..{kit.MAX_ROOM_BYTES} bytes, got {room}"
    if not 1 <= text <= kit.MAX_TEXT_BYTES:
        return "text", f"text must be 1..{kit.MAX_TEXT_BYTES} bytes, got {text}"
    return None


class EchoChat(kit.ChatService):
    def __init__(self, shared):
        super().__init__(shared)
        self.seqs = RoomSeq()

    def Chat(self, request_iterator, context):
        # Task 1: every message the client sends, as it arrives.
        for message in request_iterator:
            if (bad := problem(message)) is not None:
                kit.invalid_field(context, *bad)  # ends the stream; nothing more is read
            # Task 2 (H3): unchanged but for seq, which the server sets.
            yield pb.Message(room=message.room, sender=message.sender, text=message.text,
                             seq=self.seqs.next(message.room))
        # Task 3 (H5): the client half-closed. Every echo has been handed to
        # grpcio already; returning ends the stream OK after them. (After a
        # cancel the loop may end here too: grpcio then drops what is left.)


if __name__ == "__main__":
    kit.main(chat=EchoChat)
