#!/usr/bin/python3
"""Lesson 07, deadlines and timeouts, in Python: ListUsers with pauses.

Read lessons/07-deadlines-and-retries/README.md first (its "In Python"
section). The Python track grades tasks 1 and 2 (the checks); tasks 3-6, the
retrying client, are C++ unit tests.
"""
import threading

import course_kit as kit


class DeadlinesLesson(kit.UserService):
    def ListUsers(self, request, context):
        if request.page_size < 0:
            kit.invalid_field(context, "page_size", "page_size must not be negative")
        if not 0 <= request.interval_ms <= kit.MAX_INTERVAL_MS:
            kit.invalid_field(context, "interval_ms",
                              f"interval_ms must be between 0 and {kit.MAX_INTERVAL_MS}")
        # TODO(task 2): make a threading.Event that the end of the call sets:
        #               context.add_callback(event.set); when that returns
        #               False the call is over already, so return.
        cursor, sent = request.after_id, 0
        while request.page_size == 0 or sent < request.page_size:
            user = self.store.next_after(cursor)
            if user is None:
                return
            # TODO(task 1): before each user but the first, wait
            #               request.interval_ms, never with time.sleep: the
            #               event's wait(seconds) returns True early when the
            #               call ends (task 2), and then return.
            kit.unimplemented(context, "TODO(task 1): pause between users")
            yield user
            cursor, sent = user.id, sent + 1


if __name__ == "__main__":
    kit.main(users=DeadlinesLesson)
