#!/usr/bin/env bash
# Prints the firmware's flash and static RAM use and fails when either is over
# its budget.   targets/heartbeat/size.sh <elf>
#   flash      = .vector_table + .text + .rodata + .data (its load image)
#   static RAM = .data + .bss + .uninit (the stack comes on top)
set -euo pipefail
elf=$1
flash_budget=${FLASH_BUDGET:-65536}
ram_budget=${RAM_BUDGET:-16384}
size_tool=$(command -v arm-none-eabi-size || command -v llvm-size || true)
if [ -z "$size_tool" ]; then
    echo "size.sh: neither arm-none-eabi-size nor llvm-size found (tests/setup.sh installs binutils-arm-none-eabi)" >&2
    exit 1
fi
"$size_tool" -A "$elf" | awk -v fb="$flash_budget" -v rb="$ram_budget" '
    $1 == ".vector_table" || $1 == ".text" || $1 == ".rodata" { flash += $2 }
    $1 == ".data" { flash += $2; ram += $2 }
    $1 == ".bss" || $1 == ".uninit" { ram += $2 }
    END {
        printf "flash      %6d bytes (%5.1f KiB) of %d\n", flash, flash / 1024, fb
        printf "static RAM %6d bytes (%5.1f KiB) of %d\n", ram, ram / 1024, rb
        if (flash > fb || ram > rb) { print "over budget" > "/dev/stderr"; exit 1 }
    }'
