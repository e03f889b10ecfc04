#!/usr/bin/python3
"""Lesson 03, server streaming, in Python: write ListUsers.

Read lessons/03-server-streaming/README.md first (its "In Python" section).
Everything except ListUsers is served for you by the kit.
"""
import course_kit as kit


class ServerStreamingLesson(kit.UserService):
    def ListUsers(self, request, context):
        # TODO(task 1): before any user, refuse page_size < 0 and interval_ms
        #               outside 0..kit.MAX_INTERVAL_MS with
        #               kit.invalid_field(context, "<the field>", why).
        # TODO(task 2): walk the store with a cursor: user =
        #               self.store.next_after(cursor) gives the next user
        #               (None at the end); yield it, then move the cursor to
        #               its id. Start from request.after_id.
        # TODO(task 3): stop after page_size users; 0 means no limit.
        #               interval_ms is accepted but not used yet (lesson 07).
        kit.unimplemented(context, "TODO(task 1): ListUsers")
        yield from ()  # a method with a yield is a generator: a server stream


if __name__ == "__main__":
    kit.main(users=ServerStreamingLesson)
