/*
 * guard_call(g, fn, a, b, c): calls fn(a, b, c) (cdecl) so that a fault or a runaway inside it
 * can be abandoned: it saves the callee-saved registers and ESP in g->esp, and returns fn's
 * result.  If the trap path decides to abandon the call (vxd/guard.c: guard_abandon), it points
 * the faulting frame's EIP at guard_resume with EAX = g; the IRET lands there, still on the
 * faulting stack, and guard_resume goes back to guard_call's frame and returns -1 (the C side
 * knows from g->abandoned).
 * struct guard (vxd/guard.h) starts with the saved ESP.
 *
 *   g->esp -> EDI ESI EBX EBP return-address g fn a b c      (guard_call's frame, low to high)
 */
    .section .text
    .globl guard_call, guard_resume
guard_call:
    push    %ebp
    push    %ebx
    push    %esi
    push    %edi
    mov     20(%esp), %eax              /* g */
    mov     %esp, (%eax)                /* g->esp */
    mov     24(%esp), %ecx              /* fn */
    pushl   36(%esp)                    /* c */
    pushl   36(%esp)                    /* b */
    pushl   36(%esp)                    /* a */
    call    *%ecx
    add     $12, %esp
    pop     %edi
    pop     %esi
    pop     %ebx
    pop     %ebp
    ret
guard_resume:
    mov     (%eax), %esp                /* guard_call's frame again */
    mov     $-1, %eax
    pop     %edi
    pop     %esi
    pop     %ebx
    pop     %ebp
    ret
    .section .note.GNU-stack, "", @progbits
