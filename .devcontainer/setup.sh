#!/usr/bin/env bash
# Makes the dev container ready: Jupyter from Debian (the notebook server and nbconvert), the pinned notebook tools,
# and the solution built, so notebooks can #r the helper library straight away.
set -euo pipefail
sudo apt-get update -qq
sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  jupyter-notebook jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel jupyter-core >/dev/null
dotnet tool restore
dotnet build LlmCourse.sln
