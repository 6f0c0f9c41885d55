/*
 * guard_call(g, fn, a, b, c, d, e): calls fn(a, b, c, d, e) (cdecl; a procedure that takes fewer
 * arguments ignores the rest) so that a fault or a runaway inside it
 * can be abandoned: it saves the callee-saved registers and ESP in g->esp, and returns fn's
 * result.  If the trap path decides to abandon the call (vxd/guard.c: guard_abandon), it points
 * the faulting frame's EIP at guard_resume with EAX = g; the IRET lands there, still on the
 * faulting stack, and guard_resume goes back to guard_call's frame and returns -1 (the C side
 * knows from g->abandoned).
 * struct guard (vxd/guard.h) starts with the saved ESP.
 *
 *   g->esp -> EDI ESI EBX EBP return-address g fn a b c d e  (guard_call's frame, low to high)
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
    pushl   44(%esp)                    /* e */
    pushl   44(%esp)                    /* d */
    pushl   44(%esp)                    /* c */
    pushl   44(%esp)                    /* b */
    pushl   44(%esp)                    /* a */
    call    *%ecx
    add     $20, %esp
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

/*
 * foreign_tramp(fn, what, ret, a, b, c, d, e): calls fn(a ... e) (cdecl) for foreign_call
 * (int/fault.h); 1 with *ret = its result, or 2 if a fault in it was taken (vxd/guard.c):
 * the fault path finds the innermost such frame of the interrupted stack by its return address,
 * foreign_ret, and a cookie (the cookie's own address ^ FOREIGN_MAGIC), checks the interrupt
 * depth it holds, and resumes at foreign_resume with EAX = the cookie's address.  Nothing is set
 * up on the way in but this frame: the call costs a few instructions, not a guard.  On the way
 * out EFLAGS (the interrupt state) is the caller's again.
 *
 *   cookie depth EFLAGS EDI ESI EBX EBP return-address fn what ret a b c d e   (low to high)
 */
#define FOREIGN_MAGIC 0x5AFEC0DE            /* also vxd/guard.c's */
    .globl foreign_tramp, foreign_ret, foreign_resume
foreign_tramp:
    push    %ebp
    push    %ebx
    push    %esi
    push    %edi
    pushf
    call    int_depth                   /* EAX: the interrupt depth of the call */
    push    %eax
    lea     -4(%esp), %eax
    xor     $FOREIGN_MAGIC, %eax
    push    %eax                        /* the cookie */
    pushl   60(%esp)                    /* e */
    pushl   60(%esp)                    /* d */
    pushl   60(%esp)                    /* c */
    pushl   60(%esp)                    /* b */
    pushl   60(%esp)                    /* a */
    call    *52(%esp)                   /* fn */
foreign_ret:
    add     $20, %esp
    mov     40(%esp), %ecx              /* ret */
    mov     %eax, (%ecx)
    mov     $1, %eax                    /* FOREIGN_DONE */
foreign_out:
    add     $8, %esp                    /* the cookie, the depth */
    popf
    pop     %edi
    pop     %esi
    pop     %ebx
    pop     %ebp
    ret
foreign_resume:
    mov     %eax, %esp                  /* the cookie's slot: the frame again */
    mov     $2, %eax                    /* FOREIGN_ABANDONED */
    jmp     foreign_out
    .section .note.GNU-stack, "", @progbits
