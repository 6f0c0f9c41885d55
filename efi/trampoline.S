/*
 * Long mode -> 32-bit protected mode with PAE paging, then a jump to the VMM entry.
 *
 * The loader copies tramp_start..tramp_end into a page below 1 GB that the new page tables
 * identity-map, fills the parameter block (tramp_params, layout below and in efi/trampoline.h),
 * and calls the copy with interrupts still enabled, on the firmware's stack.  Everything here is
 * position independent: RIP-relative in 64-bit code, EBX-relative (EBX = the copy's address) in
 * 32-bit code.  Does not return.
 *
 * Machine state at the jump (docs/boot-protocol.md): CS = 0x08 flat 32-bit code of this GDT,
 * DS/ES/FS/GS/SS = 0x10, IF = 0, IDT limit 0, CR0 = PE|PG|WP (+ firmware's ET/NE/MP), CR4.PAE=1,
 * CR4.PCIDE/LA57/SMEP/SMAP/PGE = 0, EFER.LME = 0, EFER.NXE = params.nx, CR3 = params.cr3,
 * EAX = BOOT_ENTRY_MAGIC, EBX = params.bootinfo, ESP inside this page (the VMM sets its own).
 */
#include "boot/bootinfo.h"
#include "boot/layout.h"

#define P_CR3      0
#define P_ENTRY    4
#define P_BOOTINFO 8
#define P_NX       12
#define PARAM(off) (tramp_params - tramp_start + (off))(%ebx)

#define CR0_PG     0x80000000
#define CR0_WP     0x00010000
#define CR4_PAE    (1 << 5)
#define CR4_PGE    (1 << 7)
#define CR4_LA57   (1 << 12)
#define CR4_PCIDE  (1 << 17)
#define CR4_SMEP   (1 << 20)
#define CR4_SMAP   (1 << 21)
#define MSR_EFER   0xC0000080
#define EFER_LME   (1 << 8)
#define EFER_NXE   (1 << 11)

    .section .text
    .globl tramp_start, tramp_end, tramp_params
    .code64
tramp_start:
    cli
    lea     tramp_start(%rip), %rbx         /* below 1 GB: EBX stays valid in 32-bit code */
    lea     tramp_gdt(%rip), %rax
    mov     %rax, tramp_gdtr + 2(%rip)
    lgdt    tramp_gdtr(%rip)
    lidt    tramp_idtr(%rip)                /* limit 0: any exception now is a triple fault */
    mov     %cr4, %rax                      /* CR0.PG cannot be cleared while CR4.PCIDE = 1 */
    btr     $17, %rax
    jnc     1f
    mov     %rax, %cr4
1:  lea     tramp_stack_top(%rip), %rsp
    pushq   $TRAMP_CODE32_SEL
    lea     compat32(%rip), %rax
    pushq   %rax
    lretq                                   /* into compatibility mode */

    .code32
compat32:
    mov     $TRAMP_DATA32_SEL, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %fs
    mov     %eax, %gs
    mov     %eax, %ss
    mov     %cr0, %eax                      /* paging off: long mode ends (we run identity-mapped) */
    and     $~CR0_PG, %eax
    mov     %eax, %cr0
    mov     $MSR_EFER, %ecx
    rdmsr
    and     $~EFER_LME, %eax
    testl   $1, PARAM(P_NX)
    jz      2f
    or      $EFER_NXE, %eax
2:  wrmsr
    mov     %cr4, %eax
    and     $~(CR4_PCIDE | CR4_LA57 | CR4_SMEP | CR4_SMAP | CR4_PGE), %eax
    or      $CR4_PAE, %eax
    mov     %eax, %cr4
    mov     PARAM(P_CR3), %eax
    mov     %eax, %cr3
    mov     %cr0, %eax
    or      $(CR0_PG | CR0_WP), %eax
    mov     %eax, %cr0                      /* PAE paging on; this page is identity-mapped */
    mov     PARAM(P_ENTRY), %ecx
    mov     PARAM(P_BOOTINFO), %ebx
    mov     $BOOT_ENTRY_MAGIC, %eax
    jmp     *%ecx

    .balign 8
tramp_gdt:
    .quad   0
    .quad   0x00CF9A000000FFFF              /* 0x08: 32-bit code, base 0, 4 GB, ring 0 */
    .quad   0x00CF92000000FFFF              /* 0x10: data, base 0, 4 GB, ring 0 */
tramp_gdt_end:
    .balign 8
    .word   0, 0, 0
tramp_gdtr:
    .word   tramp_gdt_end - tramp_gdt - 1
    .quad   0                               /* patched: the copy's GDT address */
    .balign 8
    .word   0, 0, 0
tramp_idtr:
    .word   0
    .quad   0
    .balign 16
tramp_params:
    .long   0, 0, 0, 0                      /* cr3, entry, bootinfo, nx */
    .balign 16
    .space  256
tramp_stack_top:
tramp_end:
    .section .note.GNU-stack, "", @progbits
