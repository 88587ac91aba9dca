// A client session: the app, address and tokens one sitting of a user (or an attacker) works through.
// Mail access, sign-ins and file activity of one session share its IP, ClientInfoString and session ids.
import type { Random } from "../random";

export type ClientKind = "outlook-desktop" | "owa" | "outlook-mobile" | "graph-app" | "archiver" | "ews-mail-app";

export interface ClientSession {
  kind: ClientKind;
  /** Bare address (what a join keys on). */
  ip: string;
  clientInfoString: string;
  /** Resource app (Exchange Online) and the calling client app. */
  appId: string;
  clientAppId: string;
  clientAppName: string;
  /** Exchange SessionId. */
  sessionId: string;
  /** Entra session (AppAccessContext.AADSessionId, sign-in DeviceProperties SessionId). */
  aadSessionId: string;
  uniqueTokenId: string;
  issuedAtMs: number;
  userAgent: string;
  processName: string;
  clientVersion: string;
  machineName: string;
  os: string;
  browser: string;
}

export const EXCHANGE_ONLINE_APP_ID = "00000002-0000-0ff1-ce00-000000000000";
export const OFFICE_365_SHAREPOINT_APP_ID = "00000003-0000-0ff1-ce00-000000000000";
export const TEAMS_APP_ID = "1fec8e78-bce4-4aaf-ab1b-5451cc387264";

const CHROME_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.80";

const KINDS: Record<ClientKind, Omit<ClientSession, "ip" | "sessionId" | "aadSessionId" | "uniqueTokenId" | "issuedAtMs" | "machineName">> = {
  "outlook-desktop": {
    kind: "outlook-desktop",
    clientInfoString: "Client=MSExchangeRPC",
    appId: EXCHANGE_ONLINE_APP_ID,
    clientAppId: "d3590ed6-52b3-4102-aeff-aad2292ab01c",
    clientAppName: "Microsoft Office",
    userAgent: "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)",
    processName: "OUTLOOK.EXE",
    clientVersion: "16.0.17328.20162",
    os: "Windows 10",
    browser: "",
  },
  owa: {
    kind: "owa",
    clientInfoString: `Client=OWA;Action=ViaProxy;${CHROME_UA};`,
    appId: EXCHANGE_ONLINE_APP_ID,
    clientAppId: "9199bf20-a13f-4107-85dc-02114787ef48",
    clientAppName: "One Outlook Web",
    userAgent: CHROME_UA,
    processName: "",
    clientVersion: "",
    os: "Windows10",
    browser: "Edge 122.0.2365",
  },
  "outlook-mobile": {
    kind: "outlook-mobile",
    clientInfoString: "Client=OutlookService;Outlook-iOS/2.0;",
    appId: EXCHANGE_ONLINE_APP_ID,
    clientAppId: "27922004-5251-4030-b22d-91ecd9a37ea4",
    clientAppName: "Outlook Mobile",
    userAgent: "Outlook-iOS/2.0",
    processName: "",
    clientVersion: "4.2410.0",
    os: "Ios",
    browser: "",
  },
  "graph-app": {
    kind: "graph-app",
    clientInfoString: "Client=REST;Client=RESTSystem;;",
    appId: "00000003-0000-0000-c000-000000000000",
    clientAppId: "14d82eec-204b-4c2f-b7e8-296a70dab67e",
    clientAppName: "Microsoft Graph Command Line Tools",
    userAgent: "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1",
    processName: "",
    clientVersion: "",
    os: "Windows10",
    browser: "",
  },
  // a third-party mail app over EWS: its Sync records name the messages fetched (FolderItems), unlike desktop Outlook
  "ews-mail-app": {
    kind: "ews-mail-app",
    clientInfoString: "Client=WebServices;Action=Sync;ExchangeServicesClient/15.00.0913.015;",
    appId: EXCHANGE_ONLINE_APP_ID,
    clientAppId: "3c9a7f2e-5b1d-4e8a-9f06-2d4b6c8e0a17",
    clientAppName: "Mail app (EWS)",
    userAgent: "ExchangeServicesClient/15.00.0913.015",
    processName: "",
    clientVersion: "15.0.913.15",
    os: "Android",
    browser: "",
  },
  archiver: {
    kind: "archiver",
    clientInfoString: "Client=WebServices;ExchangeServicesClient/15.00.0913.015;",
    appId: EXCHANGE_ONLINE_APP_ID,
    clientAppId: "7b0c1a4e-3d2f-4c5b-9a8e-6f1d2c3b4a59",
    clientAppName: "Mail Archive Connector",
    userAgent: "ExchangeServicesClient/15.00.0913.015",
    processName: "ArchiveAgent.exe",
    clientVersion: "15.0.913.15",
    os: "Windows Server 2019",
    browser: "",
  },
};

export function openSession(kind: ClientKind, ip: string, atMs: number, rng: Random, machineName = ""): ClientSession {
  return {
    ...KINDS[kind],
    ip,
    sessionId: rng.uuid(),
    aadSessionId: rng.uuid(),
    uniqueTokenId: rng.hex(22),
    issuedAtMs: atMs - rng.int(60, 3000) * 1000,
    machineName: kind === "outlook-desktop" || kind === "archiver" ? machineName : "",
  };
}
