# Wrong: still blocks the thread while the kettle boils.
async def boil_kettle():
    time.sleep(0.3)
    return "hot water"
