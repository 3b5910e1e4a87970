# Wrong: returns the ratio formatted for reading, a str, not the number.
# Expect: return a number
async def slowdown(url):
    blocking = await labsupport.load(url + "blocking", requests=5, concurrency=5, progress=False)
    non_blocking = await labsupport.load(url + "async", requests=5, concurrency=5, progress=False)
    return f"{blocking.wall / non_blocking.wall:.1f}x"
