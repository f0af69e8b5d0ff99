#!/usr/bin/env bash
# The course's test command: restores the pinned notebook tools, builds, and runs every test
# (library tests, notebook lint, and every notebook executed through the real .NET Interactive kernel in quick mode).
set -euo pipefail
cd "$(dirname "$0")"
# (OpenMP threads sleep while they wait: TorchRuntime.EnsureLoaded sets OMP_WAIT_POLICY=PASSIVE unless it is set.)
dotnet tool restore >/dev/null
dotnet test LlmCourse.sln "$@"
