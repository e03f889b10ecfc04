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
    # TODO(task 1): a room of 1..kit.MAX_ROOM_BYTES bytes of UTF-8 and a text
    #               of 1..kit.MAX_TEXT_BYTES bytes; otherwise ("room", why)
    #               or ("text", why).
    return None


def read(hub, me, request_iterator):
    """Task 1: the stream's reader, on a thread of its own, so that reading
    goes on whatever the writer does."""
    # TODO(task 1): for each message of request_iterator: an invalid one is
    #               hub.leave(me, (StatusCode.INVALID_ARGUMENT, why, field))
    #               and the end of reading; a valid one is hub.post(me, ...),
    #               stopping when that says False. grpc.RpcError: cancelled.
    # TODO(task 5): when the loop ends, hub.leave(me, HALF_CLOSED).
    pass


def chat(hub, request_iterator, context):
    # TODO(task 1): me = hub.outbox(context); context.add_callback so that
    #               the end of the call makes it leave the hub (CANCELLED);
    #               start read() on a thread; yield hub.next_message(me)
    #               until it gives None; then end as me.end says
    #               (kit.invalid_field for a field, else context.abort).
    kit.unimplemented(context, "TODO(task 1): Chat")
    yield from ()


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
    # TODO(task 3): ChatService.Chat and UserService.Chat must share one hub.
    kit.main(users=lambda shared: HubUsers(shared, Hub()),
             chat=lambda shared: HubChat(shared, Hub()))
