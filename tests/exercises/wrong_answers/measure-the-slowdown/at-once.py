# Wrong: one request at a time, so even the non-blocking handler answers in line and the ratio is about 1.
# Expect: were in flight at once
async def slowdown(url):
    blocking = await labsupport.load(url + "blocking", requests=5, concurrency=1, progress=False)
    non_blocking = await labsupport.load(url + "async", requests=5, concurrency=1, progress=False)
    return blocking.wall / non_blocking.wall
