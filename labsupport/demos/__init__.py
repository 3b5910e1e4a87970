"""Apps and sites that lessons only run (the learner reads them, never writes them): lesson 04's demo servers, lesson 06's site, a waiting room."""

__all__: list[str] = []
