# Wrong: the ratio upside down: how many times as long the non-blocking run took.
# Expect: Hint: divide the blocking
async def slowdown(url):
    blocking = await labsupport.load(url + "blocking", requests=5, concurrency=5, progress=False)
    non_blocking = await labsupport.load(url + "async", requests=5, concurrency=5, progress=False)
    return non_blocking.wall / blocking.wall
