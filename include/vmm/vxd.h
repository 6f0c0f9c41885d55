/*
 * VxDs: the Device Descriptor Block every VxD exports, the system control messages its control
 * procedure receives, and the dynalink by which VxDs call services (the DDK's names, numbers and
 * layouts).  Part of the SDK: a VxD includes this header.
 *
 * A VxD file is an ELF32 relocatable object (gcc -m32 -c) holding exactly one global object whose
 * name ends in "_DDB" and whose size is sizeof(struct VxD_Desc_Block), in a writable data section.
 */
#ifndef VMM_VXD_H
#define VMM_VXD_H
#include <stdint.h>

/* The DDK's VxD_Desc_Block (VMM.INC), 0x50 bytes. */
struct VxD_Desc_Block {
    uint32_t DDB_Next;                  /* the VMM's: the next device */
    uint16_t DDB_SDK_Version;           /* DDK_VERSION */
    uint16_t DDB_Req_Device_Number;     /* the device ID, or UNDEFINED_DEVICE_ID */
    uint8_t  DDB_Dev_Major_Version;
    uint8_t  DDB_Dev_Minor_Version;
    uint16_t DDB_Flags;                 /* DDB_* below */
    char     DDB_Name[8];               /* blank-padded, not NUL-terminated */
    uint32_t DDB_Init_Order;            /* lower first; UNDEFINED_INIT_ORDER */
    uint32_t DDB_Control_Proc;          /* control procedure (see vxd_control_proc) */
    uint32_t DDB_V86_API_Proc;
    uint32_t DDB_PM_API_Proc;
    uint32_t DDB_V86_API_CSIP;
    uint32_t DDB_PM_API_CSIP;
    uint32_t DDB_Reference_Data;
    uint32_t DDB_Service_Table_Ptr;     /* an array of DDB_Service_Table_Size procedure addresses */
    uint32_t DDB_Service_Table_Size;
    uint32_t DDB_Win32_Service_Table;
    uint32_t DDB_Prev;                  /* 'Prev' */
    uint32_t DDB_Size;                  /* sizeof(struct VxD_Desc_Block) */
    uint32_t DDB_Reserved1;             /* 'Rsv1' */
    uint32_t DDB_Reserved2;             /* 'Rsv2' */
    uint32_t DDB_Reserved3;             /* 'Rsv3' */
};
_Static_assert(sizeof(struct VxD_Desc_Block) == 0x50, "the DDK's DDB is 50h bytes");

#define DDK_VERSION             0x0400u
#define UNDEFINED_DEVICE_ID     0x0000u
#define UNDEFINED_INIT_ORDER    0x80000000u
#define DDB_SYS_CRIT_INIT_DONE  0x0001u     /* set by the VMM */
#define DDB_DEVICE_INIT_DONE    0x0002u     /* set by the VMM */
#define DDB_HAS_WIN32_SVCS      0x4000u
#define DDB_DYNAMIC_VXD         0x8000u
#define DDB_PREV_SIG            0x50726576u /* 'Prev', as MASM's dd 'Prev' */
#define DDB_RSV1_SIG            0x52737631u /* 'Rsv1' */
#define DDB_RSV2_SIG            0x52737632u
#define DDB_RSV3_SIG            0x52737633u

/* Init orders (the DDK's, a few of them). */
#define VMM_INIT_ORDER          0x00000000u
#define DEBUG_INIT_ORDER        0x00000000u
#define VPICD_INIT_ORDER        0x0C000000u
#define VTD_INIT_ORDER          0x14000000u
#define SHELL_INIT_ORDER        0xB0000000u

/* Device IDs (the DDK's). */
#define VMM_DEVICE_ID           0x0001u
#define DEBUG_DEVICE_ID         0x0002u
#define VPICD_DEVICE_ID         0x0003u
#define VTD_DEVICE_ID           0x0005u
#define SHELL_DEVICE_ID         0x0017u
#define VXDLDR_DEVICE_ID        0x0027u

#endif
