# Wrong: calls asyncio.sleep without await, which only makes a coroutine and never waits.
# Expect: keep the wait, just make it an await
async def boil_kettle():
    asyncio.sleep(0.3)
    return "hot water"
