"""A chat room served two ways, by long polling and over WebSockets, on one shared room.

Lesson 07 builds it step by step; the tests import the same code. Example, in a notebook
cell next to this folder::

    import chatroom, labsupport
    app = chatroom.make_app()
    server = labsupport.serve(app, name="chat", **chatroom.SERVER_OPTIONS)  # the link opens the page
    app.room.publish("hello")                     # every client sees it
    await chatroom.shutdown(app, server)

From a terminal, in the folder that holds this one: ``python -m chatroom --port=8888``.
"""

from .app import SERVER_OPTIONS, MainHandler, make_app, shutdown
from .longpoll import MessagesHandler
from .messages import MessageBuffer, RateLimit
from .room import GOING_AWAY, Room
from .sockets import (INVALID_DATA, MAX_UNSENT, MESSAGE_TOO_BIG, POLICY_VIOLATION, TRY_AGAIN_LATER,
                      ChatSocketHandler)

__all__ = [
    "GOING_AWAY",
    "INVALID_DATA",
    "MAX_UNSENT",
    "MESSAGE_TOO_BIG",
    "POLICY_VIOLATION",
    "SERVER_OPTIONS",
    "TRY_AGAIN_LATER",
    "ChatSocketHandler",
    "MainHandler",
    "MessageBuffer",
    "MessagesHandler",
    "RateLimit",
    "Room",
    "make_app",
    "shutdown",
]
