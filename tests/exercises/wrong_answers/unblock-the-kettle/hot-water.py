# Wrong: returns what asyncio.sleep returns (None), not the hot water.
# Expect: expected 'hot water'
async def boil_kettle():
    return await asyncio.sleep(0.3)
