/*
 * vmmsvc.h - service ordinals of the Windows 95 (DDK version 0x400) VMM, VXDLDR,
 * VTD, VPICD and SHELL service tables.
 *
 * A VxD reaches a service of another device through the dynalink
 *
 *     int 20h
 *     dd  (device_id << 16) | ordinal        ; bit 15 set: VxDJmp instead of VxDCall
 *
 * and the ordinal is the position of the service in the device's
 * Begin_Service_Table ... End_Service_Table block of the DDK include file
 * (VMM.INC / VMM.H, VXDLDR.H, VTD.H, VPICD.H, SHELL.H), counting from 0.
 * The device IDs themselves are in <vmm/vxd.h> (VMM_DEVICE_ID 1, VPICD 3,
 * VTD 5, SHELL 0x17, VXDLDR 0x27).
 *
 * The numbers below follow Windows 95's tables: the Windows 3.x services
 * first, in their order, then the services Windows 95 (4.00) appended.  Later
 * additions (OSR2 "4.03", Windows 98 "4.10") are left out; they would come
 * after the last entry of each table.  Every table was read from Microsoft's
 * DDK headers as mirrored publicly and cross-checked against at least one
 * independent list (see the notes at each table):
 *   - Microsoft VMM.H (Win98-era copy whose WIN40SERVICES / WIN403SERVICES
 *     blocks mark the 4.00 / 4.03 boundary, with the .errnz checkpoints
 *     Test_DBCS_Lead_Byte == 0xD1 and Get_Crit_Status_No_Block == 0xF1);
 *   - the 1995 Windows 95 DDK inc32 headers (VTD.H, VPICD.H, VXDLDR.H, SHELL.H,
 *     "Copyright (C) 1993-95");
 *   - Compuware/NuMega VToolsD vmm.h, vxdldr.h, vpicd.h, vtd.h, shell.h;
 *   - DOSLIB's numbered VxD tables (J. Campbell, from the Win 3.1 and Win 95
 *     DDK VMM.INC) and DOSBox's VxD service-name table.
 *
 * Names carry the suffix _Ord so they do not collide with the C functions of
 * the same DDK names.  The VMM's and VXDLDR's tables are each followed by an
 * X-macro list of the names in ordinal order (every ordinal, no gaps), from
 * which the VMM generates its service tables (vmm/vxd/services.c), e.g.
 *
 *     #define X(n) [n##_Ord] = #n,
 *     static const char *const vmm_names[VMM_SERVICE_COUNT] = { VMM_SERVICE_LIST(X) };
 *     #undef X
 */
#ifndef VMM_VMMSVC_H
#define VMM_VMMSVC_H

/* ------------------------------------------------------------------ */
/* VMM (device 1)                                                      */
/* ------------------------------------------------------------------ */

/* Windows 3.0 / 3.1 table: 0x000-0x0F1 */
#define Get_VMM_Version_Ord                         0x0000
#define Get_Cur_VM_Handle_Ord                       0x0001
#define Test_Cur_VM_Handle_Ord                      0x0002
#define Get_Sys_VM_Handle_Ord                       0x0003
#define Test_Sys_VM_Handle_Ord                      0x0004
#define Validate_VM_Handle_Ord                      0x0005
#define Get_VMM_Reenter_Count_Ord                   0x0006
#define Begin_Reentrant_Execution_Ord               0x0007
#define End_Reentrant_Execution_Ord                 0x0008
#define Install_V86_Break_Point_Ord                 0x0009
#define Remove_V86_Break_Point_Ord                  0x000A
#define Allocate_V86_Call_Back_Ord                  0x000B
#define Allocate_PM_Call_Back_Ord                   0x000C
#define Call_When_VM_Returns_Ord                    0x000D
#define Schedule_Global_Event_Ord                   0x000E
#define Schedule_VM_Event_Ord                       0x000F
#define Call_Global_Event_Ord                       0x0010
#define Call_VM_Event_Ord                           0x0011
#define Cancel_Global_Event_Ord                     0x0012
#define Cancel_VM_Event_Ord                         0x0013
#define Call_Priority_VM_Event_Ord                  0x0014
#define Cancel_Priority_VM_Event_Ord                0x0015
#define Get_NMI_Handler_Addr_Ord                    0x0016
#define Set_NMI_Handler_Addr_Ord                    0x0017
#define Hook_NMI_Event_Ord                          0x0018
#define Call_When_VM_Ints_Enabled_Ord               0x0019
#define Enable_VM_Ints_Ord                          0x001A
#define Disable_VM_Ints_Ord                         0x001B
#define Map_Flat_Ord                                0x001C
#define Map_Lin_To_VM_Addr_Ord                      0x001D
#define Adjust_Exec_Priority_Ord                    0x001E
#define Begin_Critical_Section_Ord                  0x001F
#define End_Critical_Section_Ord                    0x0020
#define End_Crit_And_Suspend_Ord                    0x0021
#define Claim_Critical_Section_Ord                  0x0022
#define Release_Critical_Section_Ord                0x0023
#define Call_When_Not_Critical_Ord                  0x0024
#define Create_Semaphore_Ord                        0x0025
#define Destroy_Semaphore_Ord                       0x0026
#define Wait_Semaphore_Ord                          0x0027
#define Signal_Semaphore_Ord                        0x0028
#define Get_Crit_Section_Status_Ord                 0x0029
#define Call_When_Task_Switched_Ord                 0x002A
#define Suspend_VM_Ord                              0x002B
#define Resume_VM_Ord                               0x002C
#define No_Fail_Resume_VM_Ord                       0x002D
#define Nuke_VM_Ord                                 0x002E
#define Crash_Cur_VM_Ord                            0x002F
#define Get_Execution_Focus_Ord                     0x0030
#define Set_Execution_Focus_Ord                     0x0031
#define Get_Time_Slice_Priority_Ord                 0x0032
#define Set_Time_Slice_Priority_Ord                 0x0033
#define Get_Time_Slice_Granularity_Ord              0x0034
#define Set_Time_Slice_Granularity_Ord              0x0035
#define Get_Time_Slice_Info_Ord                     0x0036
#define Adjust_Execution_Time_Ord                   0x0037
#define Release_Time_Slice_Ord                      0x0038
#define Wake_Up_VM_Ord                              0x0039
#define Call_When_Idle_Ord                          0x003A
#define Get_Next_VM_Handle_Ord                      0x003B
#define Set_Global_Time_Out_Ord                     0x003C
#define Set_VM_Time_Out_Ord                         0x003D
#define Cancel_Time_Out_Ord                         0x003E
#define Get_System_Time_Ord                         0x003F
#define Get_VM_Exec_Time_Ord                        0x0040
#define Hook_V86_Int_Chain_Ord                      0x0041
#define Get_V86_Int_Vector_Ord                      0x0042
#define Set_V86_Int_Vector_Ord                      0x0043
#define Get_PM_Int_Vector_Ord                       0x0044
#define Set_PM_Int_Vector_Ord                       0x0045
#define Simulate_Int_Ord                            0x0046
#define Simulate_Iret_Ord                           0x0047
#define Simulate_Far_Call_Ord                       0x0048
#define Simulate_Far_Jmp_Ord                        0x0049
#define Simulate_Far_Ret_Ord                        0x004A
#define Simulate_Far_Ret_N_Ord                      0x004B
#define Build_Int_Stack_Frame_Ord                   0x004C
#define Simulate_Push_Ord                           0x004D
#define Simulate_Pop_Ord                            0x004E
#define _HeapAllocate_Ord                           0x004F
#define _HeapReAllocate_Ord                         0x0050
#define _HeapFree_Ord                               0x0051
#define _HeapGetSize_Ord                            0x0052
/* page manager */
#define _PageAllocate_Ord                           0x0053
#define _PageReAllocate_Ord                         0x0054
#define _PageFree_Ord                               0x0055
#define _PageLock_Ord                               0x0056
#define _PageUnLock_Ord                             0x0057
#define _PageGetSizeAddr_Ord                        0x0058
#define _PageGetAllocInfo_Ord                       0x0059
#define _GetFreePageCount_Ord                       0x005A
#define _GetSysPageCount_Ord                        0x005B
#define _GetVMPgCount_Ord                           0x005C
#define _MapIntoV86_Ord                             0x005D
#define _PhysIntoV86_Ord                            0x005E
#define _TestGlobalV86Mem_Ord                       0x005F
#define _ModifyPageBits_Ord                         0x0060
#define _CopyPageTable_Ord                          0x0061
#define _LinMapIntoV86_Ord                          0x0062
#define _LinPageLock_Ord                            0x0063
#define _LinPageUnLock_Ord                          0x0064
#define _SetResetV86Pageable_Ord                    0x0065
#define _GetV86PageableArray_Ord                    0x0066
#define _PageCheckLinRange_Ord                      0x0067
#define _PageOutDirtyPages_Ord                      0x0068
#define _PageDiscardPages_Ord                       0x0069
#define _GetNulPageHandle_Ord                       0x006A
#define _GetFirstV86Page_Ord                        0x006B
#define _MapPhysToLinear_Ord                        0x006C
#define _GetAppFlatDSAlias_Ord                      0x006D
#define _SelectorMapFlat_Ord                        0x006E
#define _GetDemandPageInfo_Ord                      0x006F
#define _GetSetPageOutCount_Ord                     0x0070
#define Hook_V86_Page_Ord                           0x0071
#define _Assign_Device_V86_Pages_Ord                0x0072
#define _DeAssign_Device_V86_Pages_Ord              0x0073
#define _Get_Device_V86_Pages_Array_Ord             0x0074
#define MMGR_SetNULPageAddr_Ord                     0x0075
#define _Allocate_GDT_Selector_Ord                  0x0076
#define _Free_GDT_Selector_Ord                      0x0077
#define _Allocate_LDT_Selector_Ord                  0x0078
#define _Free_LDT_Selector_Ord                      0x0079
#define _BuildDescriptorDWORDs_Ord                  0x007A
#define _GetDescriptor_Ord                          0x007B
#define _SetDescriptor_Ord                          0x007C
#define _MMGR_Toggle_HMA_Ord                        0x007D
#define Get_Fault_Hook_Addrs_Ord                    0x007E
#define Hook_V86_Fault_Ord                          0x007F
#define Hook_PM_Fault_Ord                           0x0080
#define Hook_VMM_Fault_Ord                          0x0081
#define Begin_Nest_V86_Exec_Ord                     0x0082
#define Begin_Nest_Exec_Ord                         0x0083
#define Exec_Int_Ord                                0x0084
#define Resume_Exec_Ord                             0x0085
#define End_Nest_Exec_Ord                           0x0086
#define Allocate_PM_App_CB_Area_Ord                 0x0087
#define Get_Cur_PM_App_CB_Ord                       0x0088
#define Set_V86_Exec_Mode_Ord                       0x0089
#define Set_PM_Exec_Mode_Ord                        0x008A
#define Begin_Use_Locked_PM_Stack_Ord               0x008B
#define End_Use_Locked_PM_Stack_Ord                 0x008C
#define Save_Client_State_Ord                       0x008D
#define Restore_Client_State_Ord                    0x008E
#define Exec_VxD_Int_Ord                            0x008F
#define Hook_Device_Service_Ord                     0x0090
#define Hook_Device_V86_API_Ord                     0x0091
#define Hook_Device_PM_API_Ord                      0x0092
#define System_Control_Ord                          0x0093
#define Simulate_IO_Ord                             0x0094
#define Install_Mult_IO_Handlers_Ord                0x0095
#define Install_IO_Handler_Ord                      0x0096
#define Enable_Global_Trapping_Ord                  0x0097
#define Enable_Local_Trapping_Ord                   0x0098
#define Disable_Global_Trapping_Ord                 0x0099
#define Disable_Local_Trapping_Ord                  0x009A
#define List_Create_Ord                             0x009B
#define List_Destroy_Ord                            0x009C
#define List_Allocate_Ord                           0x009D
#define List_Attach_Ord                             0x009E
#define List_Attach_Tail_Ord                        0x009F
#define List_Insert_Ord                             0x00A0
#define List_Remove_Ord                             0x00A1
#define List_Deallocate_Ord                         0x00A2
#define List_Get_First_Ord                          0x00A3
#define List_Get_Next_Ord                           0x00A4
#define List_Remove_First_Ord                       0x00A5
#define _AddInstanceItem_Ord                        0x00A6
#define _Allocate_Device_CB_Area_Ord                0x00A7
#define _Allocate_Global_V86_Data_Area_Ord          0x00A8
#define _Allocate_Temp_V86_Data_Area_Ord            0x00A9
#define _Free_Temp_V86_Data_Area_Ord                0x00AA
#define Get_Profile_Decimal_Int_Ord                 0x00AB
#define Convert_Decimal_String_Ord                  0x00AC
#define Get_Profile_Fixed_Point_Ord                 0x00AD
#define Convert_Fixed_Point_String_Ord              0x00AE
#define Get_Profile_Hex_Int_Ord                     0x00AF
#define Convert_Hex_String_Ord                      0x00B0
#define Get_Profile_Boolean_Ord                     0x00B1
#define Convert_Boolean_String_Ord                  0x00B2
#define Get_Profile_String_Ord                      0x00B3
#define Get_Next_Profile_String_Ord                 0x00B4
#define Get_Environment_String_Ord                  0x00B5
#define Get_Exec_Path_Ord                           0x00B6
#define Get_Config_Directory_Ord                    0x00B7
#define OpenFile_Ord                                0x00B8
#define Get_PSP_Segment_Ord                         0x00B9
#define GetDOSVectors_Ord                           0x00BA
#define Get_Machine_Info_Ord                        0x00BB
#define GetSet_HMA_Info_Ord                         0x00BC
#define Set_System_Exit_Code_Ord                    0x00BD
#define Fatal_Error_Handler_Ord                     0x00BE
#define Fatal_Memory_Error_Ord                      0x00BF
#define Update_System_Clock_Ord                     0x00C0
#define Test_Debug_Installed_Ord                    0x00C1
#define Out_Debug_String_Ord                        0x00C2
#define Out_Debug_Chr_Ord                           0x00C3
#define In_Debug_Chr_Ord                            0x00C4
#define Debug_Convert_Hex_Binary_Ord                0x00C5
#define Debug_Convert_Hex_Decimal_Ord               0x00C6
#define Debug_Test_Valid_Handle_Ord                 0x00C7
#define Validate_Client_Ptr_Ord                     0x00C8
#define Test_Reenter_Ord                            0x00C9
#define Queue_Debug_String_Ord                      0x00CA
#define Log_Proc_Call_Ord                           0x00CB
#define Debug_Test_Cur_VM_Ord                       0x00CC
#define Get_PM_Int_Type_Ord                         0x00CD
#define Set_PM_Int_Type_Ord                         0x00CE
#define Get_Last_Updated_System_Time_Ord            0x00CF
#define Get_Last_Updated_VM_Exec_Time_Ord           0x00D0
#define Test_DBCS_Lead_Byte_Ord                     0x00D1
/* Windows 3.1 additions (the 3.00 table ends at Test_DBCS_Lead_Byte = 0xD1) */
#define _AddFreePhysPage_Ord                        0x00D2
#define _PageResetHandlePAddr_Ord                   0x00D3
#define _SetLastV86Page_Ord                         0x00D4
#define _GetLastV86Page_Ord                         0x00D5
#define _MapFreePhysReg_Ord                         0x00D6
#define _UnmapFreePhysReg_Ord                       0x00D7
#define _XchgFreePhysReg_Ord                        0x00D8
#define _SetFreePhysRegCalBk_Ord                    0x00D9
#define Get_Next_Arena_Ord                          0x00DA
#define Get_Name_Of_Ugly_TSR_Ord                    0x00DB
#define Get_Debug_Options_Ord                       0x00DC
#define Set_Physical_HMA_Alias_Ord                  0x00DD
#define _GetGlblRng0V86IntBase_Ord                  0x00DE
#define _Add_Global_V86_Data_Area_Ord               0x00DF
#define GetSetDetailedVMError_Ord                   0x00E0
#define Is_Debug_Chr_Ord                            0x00E1
#define Clear_Mono_Screen_Ord                       0x00E2
#define Out_Mono_Chr_Ord                            0x00E3
#define Out_Mono_String_Ord                         0x00E4
#define Set_Mono_Cur_Pos_Ord                        0x00E5
#define Get_Mono_Cur_Pos_Ord                        0x00E6
#define Get_Mono_Chr_Ord                            0x00E7
#define Locate_Byte_In_ROM_Ord                      0x00E8
#define Hook_Invalid_Page_Fault_Ord                 0x00E9
#define Unhook_Invalid_Page_Fault_Ord               0x00EA
#define Set_Delete_On_Exit_File_Ord                 0x00EB
#define Close_VM_Ord                                0x00EC
#define Enable_Touch_1st_Meg_Ord                    0x00ED
#define Disable_Touch_1st_Meg_Ord                   0x00EE
#define Install_Exception_Handler_Ord               0x00EF
#define Remove_Exception_Handler_Ord                0x00F0
#define Get_Crit_Status_No_Block_Ord                0x00F1

/* Windows 95 (4.00) additions: 0x0F2-0x191 (3.10 table ends at Get_Crit_Status_No_Block = 0xF1) */
#define _GetLastUpdatedThreadExecTime_Ord           0x00F2
#define _Trace_Out_Service_Ord                      0x00F3
#define _Debug_Out_Service_Ord                      0x00F4
#define _Debug_Flags_Service_Ord                    0x00F5
#define VMMAddImportModuleName_Ord                  0x00F6
#define VMM_Add_DDB_Ord                             0x00F7
#define VMM_Remove_DDB_Ord                          0x00F8
#define Test_VM_Ints_Enabled_Ord                    0x00F9
#define _BlockOnID_Ord                              0x00FA
#define Schedule_Thread_Event_Ord                   0x00FB
#define Cancel_Thread_Event_Ord                     0x00FC
#define Set_Thread_Time_Out_Ord                     0x00FD
#define Set_Async_Time_Out_Ord                      0x00FE
#define _AllocateThreadDataSlot_Ord                 0x00FF
#define _FreeThreadDataSlot_Ord                     0x0100
#define _CreateMutex_Ord                            0x0101
#define _DestroyMutex_Ord                           0x0102
#define _GetMutexOwner_Ord                          0x0103
#define Call_When_Thread_Switched_Ord               0x0104
#define VMMCreateThread_Ord                         0x0105
#define _GetThreadExecTime_Ord                      0x0106
#define VMMTerminateThread_Ord                      0x0107
#define Get_Cur_Thread_Handle_Ord                   0x0108
#define Test_Cur_Thread_Handle_Ord                  0x0109
#define Get_Sys_Thread_Handle_Ord                   0x010A
#define Test_Sys_Thread_Handle_Ord                  0x010B
#define Validate_Thread_Handle_Ord                  0x010C
#define Get_Initial_Thread_Handle_Ord               0x010D
#define Test_Initial_Thread_Handle_Ord              0x010E
#define Debug_Test_Valid_Thread_Handle_Ord          0x010F
#define Debug_Test_Cur_Thread_Ord                   0x0110
#define VMM_GetSystemInitState_Ord                  0x0111
#define Cancel_Call_When_Thread_Switched_Ord        0x0112
#define Get_Next_Thread_Handle_Ord                  0x0113
#define Adjust_Thread_Exec_Priority_Ord             0x0114
#define _Deallocate_Device_CB_Area_Ord              0x0115
#define Remove_IO_Handler_Ord                       0x0116
#define Remove_Mult_IO_Handlers_Ord                 0x0117
#define Unhook_V86_Int_Chain_Ord                    0x0118
#define Unhook_V86_Fault_Ord                        0x0119
#define Unhook_PM_Fault_Ord                         0x011A
#define Unhook_VMM_Fault_Ord                        0x011B
#define Unhook_Device_Service_Ord                   0x011C
#define _PageReserve_Ord                            0x011D
#define _PageCommit_Ord                             0x011E
#define _PageDecommit_Ord                           0x011F
#define _PagerRegister_Ord                          0x0120
#define _PagerQuery_Ord                             0x0121
#define _PagerDeregister_Ord                        0x0122
#define _ContextCreate_Ord                          0x0123
#define _ContextDestroy_Ord                         0x0124
#define _PageAttach_Ord                             0x0125
#define _PageFlush_Ord                              0x0126
#define _SignalID_Ord                               0x0127
#define _PageCommitPhys_Ord                         0x0128
#define _Register_Win32_Services_Ord                0x0129
#define Cancel_Call_When_Not_Critical_Ord           0x012A
#define Cancel_Call_When_Idle_Ord                   0x012B
#define Cancel_Call_When_Task_Switched_Ord          0x012C
#define _Debug_Printf_Service_Ord                   0x012D
#define _EnterMutex_Ord                             0x012E
#define _LeaveMutex_Ord                             0x012F
#define Simulate_VM_IO_Ord                          0x0130
#define Signal_Semaphore_No_Switch_Ord              0x0131
#define _ContextSwitch_Ord                          0x0132
#define _PageModifyPermissions_Ord                  0x0133
#define _PageQuery_Ord                              0x0134
#define _EnterMustComplete_Ord                      0x0135
#define _LeaveMustComplete_Ord                      0x0136
#define _ResumeExecMustComplete_Ord                 0x0137
#define _GetThreadTerminationStatus_Ord             0x0138
#define _GetInstanceInfo_Ord                        0x0139
#define _ExecIntMustComplete_Ord                    0x013A
#define _ExecVxDIntMustComplete_Ord                 0x013B
#define Begin_V86_Serialization_Ord                 0x013C
#define Unhook_V86_Page_Ord                         0x013D
#define VMM_GetVxDLocationList_Ord                  0x013E
#define VMM_GetDDBList_Ord                          0x013F
#define Unhook_NMI_Event_Ord                        0x0140
#define Get_Instanced_V86_Int_Vector_Ord            0x0141
#define Get_Set_Real_DOS_PSP_Ord                    0x0142
#define Call_Priority_Thread_Event_Ord              0x0143
#define Get_System_Time_Address_Ord                 0x0144
#define Get_Crit_Status_Thread_Ord                  0x0145
#define Get_DDB_Ord                                 0x0146
#define Directed_Sys_Control_Ord                    0x0147
#define _RegOpenKey_Ord                             0x0148
#define _RegCloseKey_Ord                            0x0149
#define _RegCreateKey_Ord                           0x014A
#define _RegDeleteKey_Ord                           0x014B
#define _RegEnumKey_Ord                             0x014C
#define _RegQueryValue_Ord                          0x014D
#define _RegSetValue_Ord                            0x014E
#define _RegDeleteValue_Ord                         0x014F
#define _RegEnumValue_Ord                           0x0150
#define _RegQueryValueEx_Ord                        0x0151
#define _RegSetValueEx_Ord                          0x0152
#define _CallRing3_Ord                              0x0153
#define Exec_PM_Int_Ord                             0x0154
#define _RegFlushKey_Ord                            0x0155
#define _PageCommitContig_Ord                       0x0156
#define _GetCurrentContext_Ord                      0x0157
#define _LocalizeSprintf_Ord                        0x0158
#define _LocalizeStackSprintf_Ord                   0x0159
#define Call_Restricted_Event_Ord                   0x015A
#define Cancel_Restricted_Event_Ord                 0x015B
#define Register_PEF_Provider_Ord                   0x015C
#define _GetPhysPageInfo_Ord                        0x015D
#define _RegQueryInfoKey_Ord                        0x015E
#define MemArb_Reserve_Pages_Ord                    0x015F
#define Time_Slice_Sys_VM_Idle_Ord                  0x0160
#define Time_Slice_Sleep_Ord                        0x0161
#define Boost_With_Decay_Ord                        0x0162
#define Set_Inversion_Pri_Ord                       0x0163
#define Reset_Inversion_Pri_Ord                     0x0164
#define Release_Inversion_Pri_Ord                   0x0165
#define Get_Thread_Win32_Pri_Ord                    0x0166
#define Set_Thread_Win32_Pri_Ord                    0x0167
#define Set_Thread_Static_Boost_Ord                 0x0168
#define Set_VM_Static_Boost_Ord                     0x0169
#define Release_Inversion_Pri_ID_Ord                0x016A
#define Attach_Thread_To_Group_Ord                  0x016B
#define Detach_Thread_From_Group_Ord                0x016C
#define Set_Group_Static_Boost_Ord                  0x016D
#define _GetRegistryPath_Ord                        0x016E
#define _GetRegistryKey_Ord                         0x016F
/* 0x170: Microsoft's VMM.H and DOSLIB name it Cleanup_Thread_State; VToolsD and
 * DOSBox call the same slot _CleanupNestedExec (alias defined below). */
#define Cleanup_Thread_State_Ord                    0x0170
#define _RegRemapPreDefKey_Ord                      0x0171
#define End_V86_Serialization_Ord                   0x0172
#define _Assert_Range_Ord                           0x0173
#define _Sprintf_Ord                                0x0174
#define _PageChangePager_Ord                        0x0175
#define _RegCreateDynKey_Ord                        0x0176
#define _RegQueryMultipleValues_Ord                 0x0177
#define Boost_Thread_With_VM_Ord                    0x0178
#define Get_Boot_Flags_Ord                          0x0179
#define Set_Boot_Flags_Ord                          0x017A
#define _lstrcpyn_Ord                               0x017B
#define _lstrlen_Ord                                0x017C
#define _lmemcpy_Ord                                0x017D
#define _GetVxDName_Ord                             0x017E
#define Force_Mutexes_Free_Ord                      0x017F
#define Restore_Forced_Mutexes_Ord                  0x0180
#define _AddReclaimableItem_Ord                     0x0181
#define _SetReclaimableItem_Ord                     0x0182
#define _EnumReclaimableItem_Ord                    0x0183
#define Time_Slice_Wake_Sys_VM_Ord                  0x0184
#define VMM_Replace_Global_Environment_Ord          0x0185
#define Begin_Non_Serial_Nest_V86_Exec_Ord          0x0186
#define Get_Nest_Exec_Status_Ord                    0x0187
#define Open_Boot_Log_Ord                           0x0188
#define Write_Boot_Log_Ord                          0x0189
#define Close_Boot_Log_Ord                          0x018A
#define EnableDisable_Boot_Log_Ord                  0x018B
#define _Call_On_My_Stack_Ord                       0x018C
#define Get_Inst_V86_Int_Vec_Base_Ord               0x018D
#define _lstrcmpi_Ord                               0x018E
#define _strupr_Ord                                 0x018F
#define Log_Fault_Call_Out_Ord                      0x0190
#define _AtEventTime_Ord                            0x0191

#define VMM_SERVICE_COUNT                           402   /* 0x192; Win95 table length; Win 3.1 had 0xF2 */

#define _CleanupNestedExec_Ord                      Cleanup_Thread_State_Ord   /* VToolsD's name, same slot */

/* Not in Windows 95: _PageOutPages would be 0x192 (first 4.03 / OSR2 service). */

#define VMM_SERVICE_LIST(X) \
    X(Get_VMM_Version) \
    X(Get_Cur_VM_Handle) \
    X(Test_Cur_VM_Handle) \
    X(Get_Sys_VM_Handle) \
    X(Test_Sys_VM_Handle) \
    X(Validate_VM_Handle) \
    X(Get_VMM_Reenter_Count) \
    X(Begin_Reentrant_Execution) \
    X(End_Reentrant_Execution) \
    X(Install_V86_Break_Point) \
    X(Remove_V86_Break_Point) \
    X(Allocate_V86_Call_Back) \
    X(Allocate_PM_Call_Back) \
    X(Call_When_VM_Returns) \
    X(Schedule_Global_Event) \
    X(Schedule_VM_Event) \
    X(Call_Global_Event) \
    X(Call_VM_Event) \
    X(Cancel_Global_Event) \
    X(Cancel_VM_Event) \
    X(Call_Priority_VM_Event) \
    X(Cancel_Priority_VM_Event) \
    X(Get_NMI_Handler_Addr) \
    X(Set_NMI_Handler_Addr) \
    X(Hook_NMI_Event) \
    X(Call_When_VM_Ints_Enabled) \
    X(Enable_VM_Ints) \
    X(Disable_VM_Ints) \
    X(Map_Flat) \
    X(Map_Lin_To_VM_Addr) \
    X(Adjust_Exec_Priority) \
    X(Begin_Critical_Section) \
    X(End_Critical_Section) \
    X(End_Crit_And_Suspend) \
    X(Claim_Critical_Section) \
    X(Release_Critical_Section) \
    X(Call_When_Not_Critical) \
    X(Create_Semaphore) \
    X(Destroy_Semaphore) \
    X(Wait_Semaphore) \
    X(Signal_Semaphore) \
    X(Get_Crit_Section_Status) \
    X(Call_When_Task_Switched) \
    X(Suspend_VM) \
    X(Resume_VM) \
    X(No_Fail_Resume_VM) \
    X(Nuke_VM) \
    X(Crash_Cur_VM) \
    X(Get_Execution_Focus) \
    X(Set_Execution_Focus) \
    X(Get_Time_Slice_Priority) \
    X(Set_Time_Slice_Priority) \
    X(Get_Time_Slice_Granularity) \
    X(Set_Time_Slice_Granularity) \
    X(Get_Time_Slice_Info) \
    X(Adjust_Execution_Time) \
    X(Release_Time_Slice) \
    X(Wake_Up_VM) \
    X(Call_When_Idle) \
    X(Get_Next_VM_Handle) \
    X(Set_Global_Time_Out) \
    X(Set_VM_Time_Out) \
    X(Cancel_Time_Out) \
    X(Get_System_Time) \
    X(Get_VM_Exec_Time) \
    X(Hook_V86_Int_Chain) \
    X(Get_V86_Int_Vector) \
    X(Set_V86_Int_Vector) \
    X(Get_PM_Int_Vector) \
    X(Set_PM_Int_Vector) \
    X(Simulate_Int) \
    X(Simulate_Iret) \
    X(Simulate_Far_Call) \
    X(Simulate_Far_Jmp) \
    X(Simulate_Far_Ret) \
    X(Simulate_Far_Ret_N) \
    X(Build_Int_Stack_Frame) \
    X(Simulate_Push) \
    X(Simulate_Pop) \
    X(_HeapAllocate) \
    X(_HeapReAllocate) \
    X(_HeapFree) \
    X(_HeapGetSize) \
    X(_PageAllocate) \
    X(_PageReAllocate) \
    X(_PageFree) \
    X(_PageLock) \
    X(_PageUnLock) \
    X(_PageGetSizeAddr) \
    X(_PageGetAllocInfo) \
    X(_GetFreePageCount) \
    X(_GetSysPageCount) \
    X(_GetVMPgCount) \
    X(_MapIntoV86) \
    X(_PhysIntoV86) \
    X(_TestGlobalV86Mem) \
    X(_ModifyPageBits) \
    X(_CopyPageTable) \
    X(_LinMapIntoV86) \
    X(_LinPageLock) \
    X(_LinPageUnLock) \
    X(_SetResetV86Pageable) \
    X(_GetV86PageableArray) \
    X(_PageCheckLinRange) \
    X(_PageOutDirtyPages) \
    X(_PageDiscardPages) \
    X(_GetNulPageHandle) \
    X(_GetFirstV86Page) \
    X(_MapPhysToLinear) \
    X(_GetAppFlatDSAlias) \
    X(_SelectorMapFlat) \
    X(_GetDemandPageInfo) \
    X(_GetSetPageOutCount) \
    X(Hook_V86_Page) \
    X(_Assign_Device_V86_Pages) \
    X(_DeAssign_Device_V86_Pages) \
    X(_Get_Device_V86_Pages_Array) \
    X(MMGR_SetNULPageAddr) \
    X(_Allocate_GDT_Selector) \
    X(_Free_GDT_Selector) \
    X(_Allocate_LDT_Selector) \
    X(_Free_LDT_Selector) \
    X(_BuildDescriptorDWORDs) \
    X(_GetDescriptor) \
    X(_SetDescriptor) \
    X(_MMGR_Toggle_HMA) \
    X(Get_Fault_Hook_Addrs) \
    X(Hook_V86_Fault) \
    X(Hook_PM_Fault) \
    X(Hook_VMM_Fault) \
    X(Begin_Nest_V86_Exec) \
    X(Begin_Nest_Exec) \
    X(Exec_Int) \
    X(Resume_Exec) \
    X(End_Nest_Exec) \
    X(Allocate_PM_App_CB_Area) \
    X(Get_Cur_PM_App_CB) \
    X(Set_V86_Exec_Mode) \
    X(Set_PM_Exec_Mode) \
    X(Begin_Use_Locked_PM_Stack) \
    X(End_Use_Locked_PM_Stack) \
    X(Save_Client_State) \
    X(Restore_Client_State) \
    X(Exec_VxD_Int) \
    X(Hook_Device_Service) \
    X(Hook_Device_V86_API) \
    X(Hook_Device_PM_API) \
    X(System_Control) \
    X(Simulate_IO) \
    X(Install_Mult_IO_Handlers) \
    X(Install_IO_Handler) \
    X(Enable_Global_Trapping) \
    X(Enable_Local_Trapping) \
    X(Disable_Global_Trapping) \
    X(Disable_Local_Trapping) \
    X(List_Create) \
    X(List_Destroy) \
    X(List_Allocate) \
    X(List_Attach) \
    X(List_Attach_Tail) \
    X(List_Insert) \
    X(List_Remove) \
    X(List_Deallocate) \
    X(List_Get_First) \
    X(List_Get_Next) \
    X(List_Remove_First) \
    X(_AddInstanceItem) \
    X(_Allocate_Device_CB_Area) \
    X(_Allocate_Global_V86_Data_Area) \
    X(_Allocate_Temp_V86_Data_Area) \
    X(_Free_Temp_V86_Data_Area) \
    X(Get_Profile_Decimal_Int) \
    X(Convert_Decimal_String) \
    X(Get_Profile_Fixed_Point) \
    X(Convert_Fixed_Point_String) \
    X(Get_Profile_Hex_Int) \
    X(Convert_Hex_String) \
    X(Get_Profile_Boolean) \
    X(Convert_Boolean_String) \
    X(Get_Profile_String) \
    X(Get_Next_Profile_String) \
    X(Get_Environment_String) \
    X(Get_Exec_Path) \
    X(Get_Config_Directory) \
    X(OpenFile) \
    X(Get_PSP_Segment) \
    X(GetDOSVectors) \
    X(Get_Machine_Info) \
    X(GetSet_HMA_Info) \
    X(Set_System_Exit_Code) \
    X(Fatal_Error_Handler) \
    X(Fatal_Memory_Error) \
    X(Update_System_Clock) \
    X(Test_Debug_Installed) \
    X(Out_Debug_String) \
    X(Out_Debug_Chr) \
    X(In_Debug_Chr) \
    X(Debug_Convert_Hex_Binary) \
    X(Debug_Convert_Hex_Decimal) \
    X(Debug_Test_Valid_Handle) \
    X(Validate_Client_Ptr) \
    X(Test_Reenter) \
    X(Queue_Debug_String) \
    X(Log_Proc_Call) \
    X(Debug_Test_Cur_VM) \
    X(Get_PM_Int_Type) \
    X(Set_PM_Int_Type) \
    X(Get_Last_Updated_System_Time) \
    X(Get_Last_Updated_VM_Exec_Time) \
    X(Test_DBCS_Lead_Byte) \
    X(_AddFreePhysPage) \
    X(_PageResetHandlePAddr) \
    X(_SetLastV86Page) \
    X(_GetLastV86Page) \
    X(_MapFreePhysReg) \
    X(_UnmapFreePhysReg) \
    X(_XchgFreePhysReg) \
    X(_SetFreePhysRegCalBk) \
    X(Get_Next_Arena) \
    X(Get_Name_Of_Ugly_TSR) \
    X(Get_Debug_Options) \
    X(Set_Physical_HMA_Alias) \
    X(_GetGlblRng0V86IntBase) \
    X(_Add_Global_V86_Data_Area) \
    X(GetSetDetailedVMError) \
    X(Is_Debug_Chr) \
    X(Clear_Mono_Screen) \
    X(Out_Mono_Chr) \
    X(Out_Mono_String) \
    X(Set_Mono_Cur_Pos) \
    X(Get_Mono_Cur_Pos) \
    X(Get_Mono_Chr) \
    X(Locate_Byte_In_ROM) \
    X(Hook_Invalid_Page_Fault) \
    X(Unhook_Invalid_Page_Fault) \
    X(Set_Delete_On_Exit_File) \
    X(Close_VM) \
    X(Enable_Touch_1st_Meg) \
    X(Disable_Touch_1st_Meg) \
    X(Install_Exception_Handler) \
    X(Remove_Exception_Handler) \
    X(Get_Crit_Status_No_Block) \
    X(_GetLastUpdatedThreadExecTime) \
    X(_Trace_Out_Service) \
    X(_Debug_Out_Service) \
    X(_Debug_Flags_Service) \
    X(VMMAddImportModuleName) \
    X(VMM_Add_DDB) \
    X(VMM_Remove_DDB) \
    X(Test_VM_Ints_Enabled) \
    X(_BlockOnID) \
    X(Schedule_Thread_Event) \
    X(Cancel_Thread_Event) \
    X(Set_Thread_Time_Out) \
    X(Set_Async_Time_Out) \
    X(_AllocateThreadDataSlot) \
    X(_FreeThreadDataSlot) \
    X(_CreateMutex) \
    X(_DestroyMutex) \
    X(_GetMutexOwner) \
    X(Call_When_Thread_Switched) \
    X(VMMCreateThread) \
    X(_GetThreadExecTime) \
    X(VMMTerminateThread) \
    X(Get_Cur_Thread_Handle) \
    X(Test_Cur_Thread_Handle) \
    X(Get_Sys_Thread_Handle) \
    X(Test_Sys_Thread_Handle) \
    X(Validate_Thread_Handle) \
    X(Get_Initial_Thread_Handle) \
    X(Test_Initial_Thread_Handle) \
    X(Debug_Test_Valid_Thread_Handle) \
    X(Debug_Test_Cur_Thread) \
    X(VMM_GetSystemInitState) \
    X(Cancel_Call_When_Thread_Switched) \
    X(Get_Next_Thread_Handle) \
    X(Adjust_Thread_Exec_Priority) \
    X(_Deallocate_Device_CB_Area) \
    X(Remove_IO_Handler) \
    X(Remove_Mult_IO_Handlers) \
    X(Unhook_V86_Int_Chain) \
    X(Unhook_V86_Fault) \
    X(Unhook_PM_Fault) \
    X(Unhook_VMM_Fault) \
    X(Unhook_Device_Service) \
    X(_PageReserve) \
    X(_PageCommit) \
    X(_PageDecommit) \
    X(_PagerRegister) \
    X(_PagerQuery) \
    X(_PagerDeregister) \
    X(_ContextCreate) \
    X(_ContextDestroy) \
    X(_PageAttach) \
    X(_PageFlush) \
    X(_SignalID) \
    X(_PageCommitPhys) \
    X(_Register_Win32_Services) \
    X(Cancel_Call_When_Not_Critical) \
    X(Cancel_Call_When_Idle) \
    X(Cancel_Call_When_Task_Switched) \
    X(_Debug_Printf_Service) \
    X(_EnterMutex) \
    X(_LeaveMutex) \
    X(Simulate_VM_IO) \
    X(Signal_Semaphore_No_Switch) \
    X(_ContextSwitch) \
    X(_PageModifyPermissions) \
    X(_PageQuery) \
    X(_EnterMustComplete) \
    X(_LeaveMustComplete) \
    X(_ResumeExecMustComplete) \
    X(_GetThreadTerminationStatus) \
    X(_GetInstanceInfo) \
    X(_ExecIntMustComplete) \
    X(_ExecVxDIntMustComplete) \
    X(Begin_V86_Serialization) \
    X(Unhook_V86_Page) \
    X(VMM_GetVxDLocationList) \
    X(VMM_GetDDBList) \
    X(Unhook_NMI_Event) \
    X(Get_Instanced_V86_Int_Vector) \
    X(Get_Set_Real_DOS_PSP) \
    X(Call_Priority_Thread_Event) \
    X(Get_System_Time_Address) \
    X(Get_Crit_Status_Thread) \
    X(Get_DDB) \
    X(Directed_Sys_Control) \
    X(_RegOpenKey) \
    X(_RegCloseKey) \
    X(_RegCreateKey) \
    X(_RegDeleteKey) \
    X(_RegEnumKey) \
    X(_RegQueryValue) \
    X(_RegSetValue) \
    X(_RegDeleteValue) \
    X(_RegEnumValue) \
    X(_RegQueryValueEx) \
    X(_RegSetValueEx) \
    X(_CallRing3) \
    X(Exec_PM_Int) \
    X(_RegFlushKey) \
    X(_PageCommitContig) \
    X(_GetCurrentContext) \
    X(_LocalizeSprintf) \
    X(_LocalizeStackSprintf) \
    X(Call_Restricted_Event) \
    X(Cancel_Restricted_Event) \
    X(Register_PEF_Provider) \
    X(_GetPhysPageInfo) \
    X(_RegQueryInfoKey) \
    X(MemArb_Reserve_Pages) \
    X(Time_Slice_Sys_VM_Idle) \
    X(Time_Slice_Sleep) \
    X(Boost_With_Decay) \
    X(Set_Inversion_Pri) \
    X(Reset_Inversion_Pri) \
    X(Release_Inversion_Pri) \
    X(Get_Thread_Win32_Pri) \
    X(Set_Thread_Win32_Pri) \
    X(Set_Thread_Static_Boost) \
    X(Set_VM_Static_Boost) \
    X(Release_Inversion_Pri_ID) \
    X(Attach_Thread_To_Group) \
    X(Detach_Thread_From_Group) \
    X(Set_Group_Static_Boost) \
    X(_GetRegistryPath) \
    X(_GetRegistryKey) \
    X(Cleanup_Thread_State) \
    X(_RegRemapPreDefKey) \
    X(End_V86_Serialization) \
    X(_Assert_Range) \
    X(_Sprintf) \
    X(_PageChangePager) \
    X(_RegCreateDynKey) \
    X(_RegQueryMultipleValues) \
    X(Boost_Thread_With_VM) \
    X(Get_Boot_Flags) \
    X(Set_Boot_Flags) \
    X(_lstrcpyn) \
    X(_lstrlen) \
    X(_lmemcpy) \
    X(_GetVxDName) \
    X(Force_Mutexes_Free) \
    X(Restore_Forced_Mutexes) \
    X(_AddReclaimableItem) \
    X(_SetReclaimableItem) \
    X(_EnumReclaimableItem) \
    X(Time_Slice_Wake_Sys_VM) \
    X(VMM_Replace_Global_Environment) \
    X(Begin_Non_Serial_Nest_V86_Exec) \
    X(Get_Nest_Exec_Status) \
    X(Open_Boot_Log) \
    X(Write_Boot_Log) \
    X(Close_Boot_Log) \
    X(EnableDisable_Boot_Log) \
    X(_Call_On_My_Stack) \
    X(Get_Inst_V86_Int_Vec_Base) \
    X(_lstrcmpi) \
    X(_strupr) \
    X(Log_Fault_Call_Out) \
    X(_AtEventTime)

/* ------------------------------------------------------------------ */
/* VXDLDR (device 0x27)                                                */
/* ------------------------------------------------------------------ */

#define VXDLDR_GetVersion_Ord                       0x0000
#define VXDLDR_LoadDevice_Ord                       0x0001
#define VXDLDR_UnloadDevice_Ord                     0x0002
#define VXDLDR_DevInitSucceeded_Ord                 0x0003
#define VXDLDR_DevInitFailed_Ord                    0x0004
#define VXDLDR_GetDeviceList_Ord                    0x0005
#define VXDLDR_UnloadMe_Ord                         0x0006
/* PE loader services */
#define _PELDR_LoadModule_Ord                       0x0007
#define _PELDR_GetModuleHandle_Ord                  0x0008
#define _PELDR_GetModuleUsage_Ord                   0x0009
#define _PELDR_GetEntryPoint_Ord                    0x000A
#define _PELDR_GetProcAddress_Ord                   0x000B
#define _PELDR_AddExportTable_Ord                   0x000C
#define _PELDR_RemoveExportTable_Ord                0x000D
#define _PELDR_FreeModule_Ord                       0x000E
#define VXDLDR_Notify_Ord                           0x000F
#define _PELDR_InitCompleted_Ord                    0x0010
#define _PELDR_LoadModuleEx_Ord                     0x0011

#define VXDLDR_SERVICE_COUNT                        18   /* 0x12; Win95 table length */

/* Not in Windows 95: _PELDR_LoadModule2 = 0x12 appears only in the Win98 DDK VXDLDR.H. */

#define VXDLDR_SERVICE_LIST(X) \
    X(VXDLDR_GetVersion) \
    X(VXDLDR_LoadDevice) \
    X(VXDLDR_UnloadDevice) \
    X(VXDLDR_DevInitSucceeded) \
    X(VXDLDR_DevInitFailed) \
    X(VXDLDR_GetDeviceList) \
    X(VXDLDR_UnloadMe) \
    X(_PELDR_LoadModule) \
    X(_PELDR_GetModuleHandle) \
    X(_PELDR_GetModuleUsage) \
    X(_PELDR_GetEntryPoint) \
    X(_PELDR_GetProcAddress) \
    X(_PELDR_AddExportTable) \
    X(_PELDR_RemoveExportTable) \
    X(_PELDR_FreeModule) \
    X(VXDLDR_Notify) \
    X(_PELDR_InitCompleted) \
    X(_PELDR_LoadModuleEx)

/* ------------------------------------------------------------------ */
/* VTD (device 5)                                                      */
/* ------------------------------------------------------------------ */

/* Windows 3.x table: 0x00-0x07 */
#define VTD_Get_Version_Ord                         0x0000
#define VTD_Update_System_Clock_Ord                 0x0001
#define VTD_Get_Interrupt_Period_Ord                0x0002
#define VTD_Begin_Min_Int_Period_Ord                0x0003
#define VTD_End_Min_Int_Period_Ord                  0x0004
#define VTD_Disable_Trapping_Ord                    0x0005
#define VTD_Enable_Trapping_Ord                     0x0006
#define VTD_Get_Real_Time_Ord                       0x0007
/* Windows 95 (4.00) additions */
#define VTD_Get_Date_And_Time_Ord                   0x0008
#define VTD_Adjust_VM_Count_Ord                     0x0009
#define VTD_Delay_Ord                               0x000A

#define VTD_SERVICE_COUNT                           11   /* 0xB; Win95 table length */

/* Not in the 1995 Win95 DDK VTD.H: VTD_GetTimeZoneBias = 0x0B (in the Win98 DDK; VToolsD
 * lists it under WIN40), then the 4.10 services. */


/* ------------------------------------------------------------------ */
/* VPICD (device 3)                                                    */
/* ------------------------------------------------------------------ */

/* Windows 3.x table: 0x00-0x14 */
#define VPICD_Get_Version_Ord                       0x0000
#define VPICD_Virtualize_IRQ_Ord                    0x0001
#define VPICD_Set_Int_Request_Ord                   0x0002
#define VPICD_Clear_Int_Request_Ord                 0x0003
#define VPICD_Phys_EOI_Ord                          0x0004
#define VPICD_Get_Complete_Status_Ord               0x0005
#define VPICD_Get_Status_Ord                        0x0006
#define VPICD_Test_Phys_Request_Ord                 0x0007
#define VPICD_Physically_Mask_Ord                   0x0008
#define VPICD_Physically_Unmask_Ord                 0x0009
#define VPICD_Set_Auto_Masking_Ord                  0x000A
#define VPICD_Get_IRQ_Complete_Status_Ord           0x000B
#define VPICD_Convert_Handle_To_IRQ_Ord             0x000C
#define VPICD_Convert_IRQ_To_Int_Ord                0x000D
#define VPICD_Convert_Int_To_IRQ_Ord                0x000E
#define VPICD_Call_When_Hw_Int_Ord                  0x000F
#define VPICD_Force_Default_Owner_Ord               0x0010
#define VPICD_Force_Default_Behavior_Ord            0x0011
#define VPICD_Auto_Mask_At_Inst_Swap_Ord            0x0012
#define VPICD_Begin_Inst_Page_Swap_Ord              0x0013
#define VPICD_End_Inst_Page_Swap_Ord                0x0014
/* Windows 95 (4.00) additions */
#define VPICD_Virtual_EOI_Ord                       0x0015
#define VPICD_Get_Virtualization_Count_Ord          0x0016
#define VPICD_Post_Sys_Critical_Init_Ord            0x0017
#define VPICD_VM_SlavePIC_Mask_Change_Ord           0x0018

#define VPICD_SERVICE_COUNT                         25   /* 0x19; Win95 table length */

/* Not in Windows 95: _VPICD_Clear_IR_Bits = 0x19 and later (Win98 DDK VPICD.H). */


/* ------------------------------------------------------------------ */
/* SHELL (device 0x17)                                                 */
/* ------------------------------------------------------------------ */

/* Windows 3.0 table: 0x00-0x04 */
#define SHELL_Get_Version_Ord                       0x0000
#define SHELL_Resolve_Contention_Ord                0x0001
#define SHELL_Event_Ord                             0x0002
#define SHELL_SYSMODAL_Message_Ord                  0x0003
#define SHELL_Message_Ord                           0x0004
/* Windows 3.1 */
#define SHELL_GetVMInfo_Ord                         0x0005
/* Windows 95 (4.00) additions */
#define _SHELL_PostMessage_Ord                      0x0006
#define _SHELL_ShellExecute_Ord                     0x0007
#define _SHELL_PostShellMessage_Ord                 0x0008
#define SHELL_DispatchRing0AppyEvents_Ord           0x0009
#define SHELL_Hook_Properties_Ord                   0x000A
#define SHELL_Unhook_Properties_Ord                 0x000B
#define SHELL_Update_User_Activity_Ord              0x000C
#define _SHELL_QueryAppyTimeAvailable_Ord           0x000D
#define _SHELL_CallAtAppyTime_Ord                   0x000E
#define _SHELL_CancelAppyTimeEvent_Ord              0x000F
#define _SHELL_BroadcastSystemMessage_Ord           0x0010
#define _SHELL_HookSystemBroadcast_Ord              0x0011
#define _SHELL_UnhookSystemBroadcast_Ord            0x0012
#define _SHELL_LocalAllocEx_Ord                     0x0013
#define _SHELL_LocalFree_Ord                        0x0014
#define _SHELL_LoadLibrary_Ord                      0x0015
#define _SHELL_FreeLibrary_Ord                      0x0016
#define _SHELL_GetProcAddress_Ord                   0x0017
#define _SHELL_CallDll_Ord                          0x0018
#define _SHELL_SuggestSingleMSDOSMode_Ord           0x0019
#define SHELL_CheckHotkeyAllowed_Ord                0x001A
#define _SHELL_GetDOSAppInfo_Ord                    0x001B

#define SHELL_SERVICE_COUNT                         28   /* 0x1C; Win95 table length */


/* ------------------------------------------------------------------ */
/* VMM32's own services (device 1, from 7F00h)                          */
/* ------------------------------------------------------------------ */

/* VMM32's own services with no ordinal in the DDK's table: device 1, ordinals from 7F00h.
 * Import them like the others: VMM_IMPORT(Create_VM).  A new one gets the next ordinal here
 * and its name at the end of the list (the VMM's table is generated from it, and checks that
 * each ordinal is its place in the list). */
#define VMM32_EXT_FIRST                 0x7F00
#define Test_Event_Timed_Out_Ord        0x7F00
#define thread_sleep_Ord                0x7F01
#define Get_Clock_NS_Ord                0x7F02
#define Create_VM_Ord                   0x7F03
#define Destroy_VM_Ord                  0x7F04
#define VMMCreateThreadInVM_Ord         0x7F05
#define Set_VM_Time_Slice_Priority_Ord  0x7F06
#define VMM_Register_Control_Ord        0x7F07
#define VMM_Unregister_Control_Ord      0x7F08
#define Create_V86_VM_Ord               0x7F09
#define Get_VM_Client_Ord               0x7F0A
#define Set_V86_A20_Ord                 0x7F0B
#define Get_V86_A20_Ord                 0x7F0C
#define Get_VM_Last_V86_Page_Ord        0x7F0D
#define Exit_System_Ord                 0x7F0E
#define Create_V86_Thread_Ord           0x7F0F
#define Get_VM_Crash_Report_Ord         0x7F10
#define VMM32_EXT_SERVICE_LIST(X) \
    X(Test_Event_Timed_Out) X(thread_sleep) X(Get_Clock_NS) X(Create_VM) X(Destroy_VM) \
    X(VMMCreateThreadInVM) X(Set_VM_Time_Slice_Priority) X(VMM_Register_Control) \
    X(VMM_Unregister_Control) X(Create_V86_VM) X(Get_VM_Client) X(Set_V86_A20) \
    X(Get_V86_A20) X(Get_VM_Last_V86_Page) X(Exit_System) X(Create_V86_Thread) \
    X(Get_VM_Crash_Report)

#endif /* VMM_VMMSVC_H */
