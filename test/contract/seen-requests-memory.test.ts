import { inMemorySeenRequests } from '../../src/ports/seen-requests.js';
import { describeSeenRequestsContract } from './seen-requests-contract.js';

describeSeenRequestsContract(() => inMemorySeenRequests());
