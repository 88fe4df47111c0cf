# Shared by the vmcores scripts: where heavy artifacts live (outside the repo).
MEMSECT_CACHE=${MEMSECT_CACHE:-$HOME/.cache/memsect}
export MEMSECT_CACHE
VMCORES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export VMCORES_DIR

die() { echo "vmcores: $*" >&2; exit 1; }
log() { echo "vmcores: $*" >&2; }
