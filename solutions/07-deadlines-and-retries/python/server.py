#!/usr/bin/python3
"""Lesson 07, deadlines and timeouts, in Python: ListUsers with pauses.

Read lessons/07-deadlines-and-retries/README.md first (its "In Python"
section). The Python track grades tasks 1 and 2 (the checks); tasks 3-6, the
retrying client, are C++ unit tests.

A generator that waits between users holds one of the server's worker
threads while it waits. The wait must end the moment the call does (a
cancel, the deadline, shutdown), or abandoned calls keep their workers and
starve the calls that come after them.
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
        # Task 2 (L3): grpcio runs the callback when the call ends for any
        # reason. False means it has ended already.
        ended = threading.Event()
        if not context.add_callback(ended.set):
            return
        pause = request.interval_ms / 1000
        cursor, sent = request.after_id, 0
        while request.page_size == 0 or sent < request.page_size:
            user = self.store.next_after(cursor)
            if user is None:
                return
            # Task 1 (L3): a wait before each user but the first, which the
            # end of the call interrupts at once (task 2). time.sleep would
            # not: it would hold the worker for the whole pause.
            if sent > 0 and pause > 0 and ended.wait(pause):
                return
            yield user  # the first user goes at once (sends-users-as-produced)
            cursor, sent = user.id, sent + 1


if __name__ == "__main__":
    kit.main(users=DeadlinesLesson)
