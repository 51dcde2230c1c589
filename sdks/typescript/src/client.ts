// One client, one namespace per seed API.
import { CrmChat } from "./resources/crmChat.js";
import { Insights } from "./resources/insights.js";
import { KbPlatform } from "./resources/kbPlatform.js";
import { SupportAgent } from "./resources/supportAgent.js";
import { TieredCs } from "./resources/tieredCs.js";
import { type ClientOptions, Transport } from "./transport.js";

export interface SwitchboardOptions extends ClientOptions {
  /** Where seed 002 is mounted (SWITCHBOARD_GATEWAY_CS_PREFIX on the gateway; default /cs). */
  csPrefix?: string;
}

export class Switchboard {
  readonly insights: Insights;
  readonly supportAgent: SupportAgent;
  readonly tieredCs: TieredCs;
  readonly kbPlatform: KbPlatform;
  readonly crmChat: CrmChat;
  readonly baseUrl: string;

  constructor(options: SwitchboardOptions = {}) {
    const transport = new Transport(options);
    this.baseUrl = transport.baseUrl;
    this.insights = new Insights(transport);
    this.supportAgent = new SupportAgent(transport);
    this.tieredCs = new TieredCs(transport, options.csPrefix ?? "/cs");
    this.kbPlatform = new KbPlatform(transport);
    this.crmChat = new CrmChat(transport);
  }
}
