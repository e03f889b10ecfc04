#!/usr/bin/python3
"""Lesson 03, server streaming, in Python: write ListUsers.

Read lessons/03-server-streaming/README.md first (its "In Python" section).
Everything except ListUsers is served for you by the kit.

A generator is a server stream: grpcio asks it for the next response only
when it can send one, so the store is read one user at a time, at the
reader's pace, and the list is never built in memory.
"""
import course_kit as kit


class ServerStreamingLesson(kit.UserService):
    def ListUsers(self, request, context):
        # Task 1 (L1): refuse before the first yield, so no user goes out.
        if request.page_size < 0:
            kit.invalid_field(context, "page_size",
                              f"page_size must not be negative, got {request.page_size}")
        if not 0 <= request.interval_ms <= kit.MAX_INTERVAL_MS:
            kit.invalid_field(context, "interval_ms",
                              f"interval_ms must be 0..{kit.MAX_INTERVAL_MS}, "
                              f"got {request.interval_ms}")
        # interval_ms is valid but not used yet: the pauses (L3) are lesson 07.
        # Task 2 (L2): a cursor on the last id sent keeps the order ascending
        # and never repeats a user, even while other calls add users.
        cursor, sent = request.after_id, 0
        # Task 3 (L2): page_size 0 means no limit.
        while request.page_size == 0 or sent < request.page_size:
            user = self.store.next_after(cursor)
            if user is None:
                return  # the end of the store: the stream ends OK
            yield user  # returns here once grpcio wants the next message
            cursor, sent = user.id, sent + 1


if __name__ == "__main__":
    kit.main(users=ServerStreamingLesson)
