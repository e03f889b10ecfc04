#!/usr/bin/python3
"""Lesson 05, bidirectional streaming, in Python: ChatService.Chat as an echo.

Read lessons/05-bidi-streaming/README.md first (its "In Python" section).
Every other RPC (UserService.Chat included) is served for you by the kit.
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
        # TODO(task 2): under self._lock, add one to the room's counter in
        #               self._last and return it.
        return 0


def problem(message):
    """Task 1 (H1): (field, why) for an invalid message, or None."""
    # TODO(task 1): a room of 1..kit.MAX_ROOM_BYTES bytes of UTF-8 and a text
    #               of 1..kit.MAX_TEXT_BYTES bytes; otherwise ("room", why)
    #               or ("text", why).
    return None


class EchoChat(kit.ChatService):
    def __init__(self, shared):
        super().__init__(shared)
        self.seqs = RoomSeq()

    def Chat(self, request_iterator, context):
        # TODO(task 1): `for message in request_iterator:` reads the stream;
        #               an invalid message ends it with
        #               kit.invalid_field(context, field, why).
        # TODO(task 2): yield a pb.Message with the same room, sender and
        #               text, and seq=self.seqs.next(room), for each message.
        # TODO(task 3): when the loop ends, the client half-closed: return,
        #               and the stream ends OK after the echoes.
        kit.unimplemented(context, "TODO(task 1): ChatService.Chat")
        yield from ()  # reads a request iterator and yields: a bidi stream


if __name__ == "__main__":
    kit.main(chat=EchoChat)
