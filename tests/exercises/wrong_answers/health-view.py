# Wrong: returns the answer the way Flask would; Tornado ignores (or awaits) what get returns.
class HealthView(BaseView):
    def get(self) -> None:
        return {"status": "ok"}
