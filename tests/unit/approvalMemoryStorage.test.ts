import { createMemoryApprovalStorage } from '../../subgraphs/approval/store/memoryApprovalStorage.ts';
import { describeApprovalStorageContract } from '../support/approvalStorageContract.ts';

describeApprovalStorageContract('in memory', async () => ({ storage: createMemoryApprovalStorage(), drop: async () => undefined }));
