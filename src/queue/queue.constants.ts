/** The `QueueClient` of the codes queue; private to `QueueModule`. */
export const QUEUE_CLIENT = Symbol('QUEUE_CLIENT');
