# Wrong: still blocks the thread while the kettle boils.
# Expect: held the event loop
async def boil_kettle():
    time.sleep(0.3)
    return "hot water"
