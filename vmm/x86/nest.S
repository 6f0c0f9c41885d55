/*
 * Nested V86 execution (v86/exec.c: Resume_Exec), in the manner of guard.S.
 *
 * v86_nest_run(n, frame): saves the callee-saved registers and ESP in n->esp (struct v86_nest
 * starts with it), then enters frame -- a client frame (x86/trap.h) for V86 code, which must lie
 * below everything this call has on the stack: it is checked, and an overlap is fatal -- as the
 * interrupt stubs' way out does.  It returns (0) only through v86_nest_return(n), which the
 * nest's break point calls from the fault path: back to the saved ESP, the registers popped.
 *
 *   n->esp -> EDI ESI EBX EBP return-address n frame      (v86_nest_run's frame, low to high)
 */
#include "x86/trap.h"
    .section .text
    .globl v86_nest_run, v86_nest_return
v86_nest_run:
    push    %ebp
    push    %ebx
    push    %esi
    push    %edi
    mov     20(%esp), %eax              /* n */
    mov     %esp, (%eax)                /* n->esp */
    mov     24(%esp), %eax              /* frame */
    lea     CLIENT_FRAME_SIZE(%eax), %edx
    cmp     %esp, %edx                  /* the frame's end must be at or below this ESP */
    ja      1f
    jmp     trap_resume_eax
1:  call    v86_nest_overlap            /* does not return */
v86_nest_return:
    mov     4(%esp), %eax               /* n */
    mov     (%eax), %esp
    xor     %eax, %eax
    pop     %edi
    pop     %esi
    pop     %ebx
    pop     %ebp
    ret
    .section .note.GNU-stack, "", @progbits
