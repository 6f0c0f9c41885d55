/*
 * VMM entry from the loader's trampoline (machine state in docs/boot-protocol.md): EAX holds
 * BOOT_ENTRY_MAGIC, EBX the boot info's physical address, paging is on and this code is mapped
 * at its link address.  Takes the entry time stamp first, so that the handoff benchmark ends here,
 * then moves onto the VMM's own boot stack and calls vmm_main(magic, bootinfo_phys).
 */
    .section .text.entry, "ax"
    .globl vmm_entry
vmm_entry:
    mov     %eax, %esi
    rdtsc
    mov     %eax, vmm_entry_tsc
    mov     %edx, vmm_entry_tsc + 4
    mov     $boot_stack_top, %esp
    xor     %ebp, %ebp                  /* ends the frame-pointer chain for backtraces */
    push    %ebx
    push    %esi
    call    vmm_main
1:  cli
    hlt
    jmp     1b

/* Where a new thread begins (sched/thread.c builds its first frame): ESI holds the thread. */
    .globl thread_entry
thread_entry:
    xor     %ebp, %ebp                  /* a fresh frame-pointer chain */
    push    %esi
    call    thread_main
1:  cli
    hlt
    jmp     1b

    .section .bss
    .balign 4096
    .globl boot_stack_guard, boot_stack, boot_stack_top
boot_stack_guard:                       /* unmapped at boot (page_make_guard): an overflow faults */
    .space  4096
boot_stack:
    .space  16384
boot_stack_top:
    .globl vmm_entry_tsc
    .balign 8
vmm_entry_tsc:
    .space  8
    .section .note.GNU-stack, "", @progbits
