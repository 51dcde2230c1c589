export { Switchboard, type SwitchboardOptions } from "./client.js";
export { ChatClient, type ChatClientOptions, type ChatResponse, type SendMessageParams } from "./chat.js";
export * from "./errors.js";
export { type ClientOptions, serverWaitMs } from "./transport.js";
export { events, parseFrame, websocketUrl, type EventStreamOptions, type SwitchboardEvent } from "./events.js";
export { Webhook, signSeed003, signStandard, verifySeed003, verifyStandard } from "./webhooks.js";
export type { Json, Reply, Schemas } from "./types.js";
