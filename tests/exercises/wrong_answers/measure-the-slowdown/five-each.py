# Wrong: ten requests to each handler, not the five the task asks for.
# Expect: expected 5 to each
async def slowdown(url):
    blocking = await labsupport.load(url + "blocking", requests=10, concurrency=5, progress=False)
    non_blocking = await labsupport.load(url + "async", requests=10, concurrency=5, progress=False)
    return blocking.wall / non_blocking.wall
