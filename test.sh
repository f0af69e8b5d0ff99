#!/usr/bin/env bash
# The course's test command: restores the pinned notebook tools, builds, and runs every test
# (library tests, notebook lint, and every notebook executed through the real .NET Interactive kernel in quick mode).
set -euo pipefail
cd "$(dirname "$0")"
# LibTorch's OpenMP threads spin while they wait; the test host and each notebook kernel run torch side by side on
# few cores, so let waiting threads sleep instead (it halved the slowdown measured on a busy 2-core machine).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
dotnet tool restore >/dev/null
dotnet test LlmCourse.sln "$@"
