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
        # Task 1 (G1): refuse a bad id before asking the store. invalid_field
        # raises, so nothing below runs for it.
        if request.id <= 0:
            kit.invalid_field(context, "id", f"id must be positive, got {request.id}")
        # Task 2 (G2): context.abort raises too, ending the call with the status.
        user = self.store.get(request.id)
        if user is None:
            context.abort(StatusCode.NOT_FOUND, f"no user with id {request.id}")
        # Task 3 (G3): the return value is the response; the status is OK.
        return pb.User(id=user.id, name=user.name, email=user.email)


if __name__ == "__main__":
    kit.main(users=UnaryLesson)
