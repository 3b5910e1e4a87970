"""Tests for labsupport.doctor: each check, its fix, the live probe and the command line."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest

import labsupport
from labsupport.kernel import loop_repair as kernel_loop
from .conftest import ROOT, run

doctor_module = importlib.import_module("labsupport.doctor")  # the function shadows the module name


def by_name(report):
    return {check.name: check for check in report}


def test_report_in_the_course_venv_is_all_green():
    report = labsupport.doctor()
    names = by_name(report)
    for name in ("tornado", "ipykernel", "jupyterlab", "other pins", "event loop", "free port", "proxy"):
        assert names[name].status == "ok", str(names[name])
    python_status = "warn" if kernel_loop.affected() else "ok"  # 3.13.0-3.13.2: gh-130145
    assert names["Python"].status == python_status, str(names["Python"])
    assert report.ok and "✔ tornado: 6.6.1" in str(report)


def test_a_version_other_than_the_pin_warns_with_the_fix(monkeypatch):
    pins = doctor_module._tested_pins()
    monkeypatch.setattr(doctor_module, "_tested_pins", lambda: {**pins, "tornado": "5.0.0"})
    check = by_name(labsupport.doctor())["tornado"]
    assert check.status == "warn" and "tested with 5.0.0" in check.detail
    assert "course.py setup" in check.fix


def test_a_missing_package_fails(monkeypatch):
    pins = doctor_module._tested_pins()
    monkeypatch.setattr(doctor_module, "_tested_pins", lambda: {**pins, "no-such-package-xyz": "1.0"})
    report = labsupport.doctor()
    assert by_name(report)["other pins"].status == "fail" and not report.ok
    assert "no-such-package-xyz missing" in by_name(report)["other pins"].detail


def test_hub_without_jupyter_server_proxy_fails_with_the_install_line(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    monkeypatch.setattr(doctor_module, "proxy_available", lambda: False)
    check = by_name(labsupport.doctor())["proxy"]
    assert check.status == "fail" and "pip install jupyter-server-proxy" in check.fix
    monkeypatch.setattr(doctor_module, "proxy_available", lambda: True)
    assert by_name(labsupport.doctor())["proxy"].detail.startswith("links go through /user/ada/proxy/PORT/")


def test_live_probe_answers_from_another_process():
    async def scenario():
        report = labsupport.doctor()
        assert by_name(report)["event loop"].detail.startswith("_UnixSelectorEventLoop running")
        await report.live_probe()
        return report
    report = run(scenario())
    assert by_name(report)["live probe"].status == "ok"
    assert labsupport.running() == []  # the probe's server is gone


def test_live_probe_reports_a_wrong_answer(monkeypatch):
    monkeypatch.setattr(doctor_module._ProbeHandler, "get", lambda self: self.write("something else"))

    async def scenario():
        return await labsupport.doctor().live_probe()
    check = by_name(run(scenario()))["live probe"]
    assert check.status == "fail" and check.fix


def test_no_live_probe_outside_a_loop():
    report = labsupport.doctor()
    try:
        run(report.live_probe())
    except RuntimeError as exc:
        assert "only inside a notebook" in str(exc)
    else:
        raise AssertionError("live_probe() without a probe should raise")


def test_command_line_doctor_exits_zero_when_green():
    result = subprocess.run([sys.executable, "-m", "labsupport", "doctor"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " Python: 3." in result.stdout and "All good" in result.stdout


@pytest.mark.parametrize("installed, status, words", [
    ("6.31.0", "warn", "works: CI runs the kernel tests and lessons 01-02 on it"),
    ("6.29.5", "warn", "tested with ipykernel 7.4.0 and 6.31.0"), ("7.3.0", "warn", "tested with ipykernel 7.4.0"),
    ("8.0.0", "warn", "tested with"), ("5.5.6", "fail", "too old")])
def test_the_ipykernel_row_knows_both_tested_majors(installed, status, words):
    from labsupport.doctor import _check_ipykernel
    finding = _check_ipykernel(installed, "7.4.0", "fix")
    assert finding.status == status and words in finding.detail


def test_the_ipykernel_6_the_doctor_names_is_the_one_ci_pins():
    from labsupport.doctor import IPYKERNEL_6_TESTED
    pins = (ROOT / ".ci" / "ipykernel6.txt").read_text()
    assert f"ipykernel=={IPYKERNEL_6_TESTED}\n" in pins


def test_only_lesson_12_asks_for_nginx_and_a_missing_one_warns_with_the_install_line(monkeypatch):
    assert "nginx" not in by_name(labsupport.doctor())  # lesson 00's report stays as it was
    monkeypatch.setattr(doctor_module, "nginx_available", lambda: None)
    report = labsupport.doctor(lesson=12)
    check = by_name(report)["nginx"]
    assert check.status == "warn" and "only lesson 12 needs it" in check.detail and report.ok
    assert check.fix == "sudo apt install nginx (Debian, Ubuntu) or brew install nginx (macOS)"
    monkeypatch.setattr(doctor_module, "nginx_available", lambda: "nginx version: nginx/1.22.1")
    assert str(by_name(labsupport.doctor(lesson=12))["nginx"]) == "✔ nginx: nginx/1.22.1 and openssl, for lesson 12"
    monkeypatch.setattr(doctor_module.shutil, "which", lambda name: None)
    check = by_name(labsupport.doctor(lesson=12))["nginx"]
    assert check.status == "warn" and "openssl is missing" in check.detail and "apt install openssl" in check.fix


def test_the_nginx_row_reports_the_installed_nginx():
    version = labsupport.nginx_available()
    if version is None and os.environ.get("TORNADO_LAB_CI") != "1":  # CI installs it: .ci/install-nginx.sh
        pytest.skip("nginx is not installed")
    assert version is not None and version.startswith("nginx version: nginx/")
    check = by_name(labsupport.doctor(lesson=12))["nginx"]
    assert check.status == "ok" and check.detail.startswith(version.removeprefix("nginx version: "))
