# Shortcuts for course.py, which needs only Python 3.11+ (no make on Windows: use `py course.py ...`).
PYTHON ?= python3

.PHONY: lab test setup doctor notebooks
lab test setup doctor notebooks:
	$(PYTHON) course.py $@
