#!/usr/bin/env bash
# Rebuilds data/austen.txt from Debian's r-cran-janeaustenr package (Jane Austen's six novels as R data).
# No R needed: the package is downloaded and unpacked into a temporary folder, and LlmCourse.CorpusBuilder parses
# its R lazy-load database. Output is byte-for-byte deterministic; the tool exits 1 if the SHA-256 differs from the
# one in lib/LlmCourse/Data/Corpus.cs.
#   tools/extract-corpus.sh            writes data/austen.txt
#   tools/extract-corpus.sh OUT.txt    writes OUT.txt instead
set -euo pipefail

package=r-cran-janeaustenr
version=1.0.0-1
deb_sha256=df6bddf211906d1ff404f8ff662c21b34e6660e7f54a311084e749050c019c95
pool_url="https://deb.debian.org/debian/pool/main/r/$package/${package}_${version}_all.deb"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
output=$(realpath -m "${1:-$root/data/austen.txt}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# apt-get download needs no root, only package lists (run `sudo apt-get update` once if it cannot find the package).
# Without apt (not Debian/Ubuntu) fetch the same file from Debian's archive.
if command -v apt-get >/dev/null && apt-get download "$package=$version" >/dev/null 2>&1; then
    echo "Downloaded $package $version with apt-get."
else
    echo "apt-get could not fetch $package=$version; downloading $pool_url"
    curl -fsSLO "$pool_url"
fi
deb=$(ls ./*.deb)
echo "$deb_sha256  $deb" | sha256sum -c --quiet - || { echo "The .deb's SHA-256 is not the expected $deb_sha256" >&2; exit 1; }

# dpkg-deb if present; otherwise a .deb is an ar archive holding data.tar.xz.
if command -v dpkg-deb >/dev/null; then
    dpkg-deb -x "$deb" pkg
else
    mkdir pkg && (cd pkg && ar x "../$deb" && tar -xf data.tar.*)
fi

# Debug, the configuration `dotnet build` already made: no second copy of the LibTorch binaries.
dotnet run --project "$root/tools/LlmCourse.CorpusBuilder" -- \
    "$work/pkg/usr/lib/R/site-library/janeaustenr/data" "$output"
