#!/usr/bin/python3
"""Lesson 10, the chat hub, in Python.

Read lessons/10-chat-hub/README.md first (its "In Python" section). The hub
is in hub.py; this file connects each Chat call to it: a reader thread feeds
the hub, and the handler's generator writes the stream's outbox.
"""
import threading

import course_kit as kit  # first: it says clearly when grpc cannot be imported
import grpc
from course_kit import StatusCode
from hub import HALF_CLOSED, Hub


def problem(message):
    """Task 1 (H1): (field, why) for an invalid message, or None."""
    room = len(message.room.encode("utf-8"))
    text = len(message.text.encode("utf-8"))
    if not 1 <= room <= kit.MAX_ROOM_BYTES:
        return "room", f"room must be 1..{kit.MAX_ROOM_BYTES} bytes, got {room}"
    if not 1 <= text <= kit.MAX_TEXT_BYTES:
        return "text", f"text must be 1..{kit.MAX_TEXT_BYTES} bytes, got {text}"
    return None


def read(hub, me, request_iterator):
    """Task 1: the stream's reader, on a thread of its own, so that reading
    goes on whatever the writer does."""
    try:
        for message in request_iterator:
            if (bad := problem(message)) is not None:
                hub.leave(me, (StatusCode.INVALID_ARGUMENT, bad[1], bad[0]))
                return
            if not hub.post(me, message):
                return
    except grpc.RpcError:
        return  # cancelled: the call's callback leaves the hub
    hub.leave(me, HALF_CLOSED)  # task 5 (H5)


def chat(hub, request_iterator, context):
    me = hub.outbox(context)
    # Whatever ends the call (cancel, deadline, shutdown) takes it out of
    # every room; after a normal end it has left already and this does nothing.
    if not context.add_callback(lambda: hub.leave(
            me, (StatusCode.CANCELLED, "the call ended", None))):
        return
    threading.Thread(target=read, args=(hub, me, request_iterator), daemon=True).start()
    while (message := hub.next_message(me)) is not None:
        yield message
    if me.end is HALF_CLOSED:
        return  # task 5: everything that waited has gone; end OK
    code, why, field = me.end
    if field is not None:
        kit.invalid_field(context, field, why)
    context.abort(code, why)


class HubUsers(kit.UserService):
    def __init__(self, shared, hub):
        super().__init__(shared)
        self.hub = hub

    def Chat(self, request_iterator, context):
        return chat(self.hub, request_iterator, context)


class HubChat(kit.ChatService):
    def __init__(self, shared, hub):
        super().__init__(shared)
        self.hub = hub

    def Chat(self, request_iterator, context):
        return chat(self.hub, request_iterator, context)


if __name__ == "__main__":
    hub = Hub()  # task 3 (H3): one hub behind both services' Chat
    kit.main(users=lambda shared: HubUsers(shared, hub),
             chat=lambda shared: HubChat(shared, hub))
