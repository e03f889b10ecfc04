#!/usr/bin/python3
"""Lesson 02, unary RPC, in Python: write GetUser.

Read lessons/02-unary/README.md first (its "In Python" section). Everything
except GetUser is served for you by the kit (lessons/kit/python/course_kit.py),
so the checks can create users before they fetch them.
"""
import course_kit as kit
from course_kit import StatusCode, pb


class UnaryLesson(kit.UserService):
    def GetUser(self, request, context):
        # TODO(task 1): an id <= 0 is INVALID_ARGUMENT naming the field "id"
        #               (kit.invalid_field(context, "id", why) ends the call).
        # TODO(task 2): look the id up with self.store.get(id); None means an
        #               unknown id: context.abort(StatusCode.NOT_FOUND, ...)
        #               with the id in the message.
        # TODO(task 3): return a pb.User with the stored id, name and email.
        kit.unimplemented(context, "TODO(task 1): GetUser")


if __name__ == "__main__":
    kit.main(users=UnaryLesson)
