// What each identity provider's provisioning screen calls its fields, and what to paste into each:
// the console's "Connect your IdP" screen. Taken from the guides in docs/idp/ (one per IdP); a unit
// test checks every field name and fixed value still appears in its guide, so the two cannot drift.

/** `scimBaseUrl` and `token` are filled in by the screen; `text` is pasted or chosen as written. */
export type FieldValue = { kind: 'scimBaseUrl' } | { kind: 'token' } | { kind: 'text'; text: string };

export interface IdpField {
  /** The field's name exactly as the IdP's screen shows it. */
  field: string;
  value: FieldValue;
  note?: string;
}

export interface IdpScreen {
  /** Where the fields are, as a path through the IdP's admin UI. */
  where: string;
  fields: IdpField[];
}

export interface IdpGuide {
  id: string;
  name: string;
  /** The guide in docs/idp/ this is taken from. */
  doc: string;
  screens: IdpScreen[];
}

const scim: FieldValue = { kind: 'scimBaseUrl' };
const token: FieldValue = { kind: 'token' };
const text = (value: string): FieldValue => ({ kind: 'text', text: value });

export const IDP_GUIDES: readonly IdpGuide[] = [
  {
    id: 'okta',
    name: 'Okta',
    doc: 'okta.md',
    screens: [
      {
        where: 'Custom app: Applications → your app → Provisioning → Integration → Edit',
        fields: [
          { field: 'SCIM connector base URL', value: scim },
          { field: 'Unique identifier field for users', value: text('userName') },
          {
            field: 'Supported provisioning actions',
            value: text('Import New Users and Profile Updates, Push New Users, Push Profile Updates, Push Groups'),
          },
          { field: 'Authentication Mode', value: text('HTTP Header') },
          { field: 'Authorization', value: token, note: 'under HTTP Header' },
        ],
      },
      {
        where:
          'OIN template "SCIM 2.0 Test App (OAuth Bearer Token)": Provisioning → Configure API Integration → Enable API integration',
        fields: [
          { field: 'Base URL', value: scim },
          { field: 'OAuth Bearer Token', value: token },
        ],
      },
    ],
  },
  {
    id: 'entra',
    name: 'Microsoft Entra ID',
    doc: 'entra.md',
    screens: [
      {
        where: 'Enterprise applications → your app → Provisioning → Admin Credentials',
        fields: [
          { field: 'Provisioning Mode', value: text('Automatic') },
          { field: 'Tenant URL', value: scim },
          { field: 'Secret Token', value: token, note: 'without "Bearer "' },
        ],
      },
    ],
  },
  {
    id: 'onelogin',
    name: 'OneLogin',
    doc: 'onelogin.md',
    screens: [
      {
        where: 'Applications → your "SCIM Provisioner with SAML (SCIM v2 Enterprise)" app → Configuration',
        fields: [
          { field: 'SCIM Base URL', value: scim },
          { field: 'SCIM Bearer Token', value: token },
          { field: 'SCIM JSON Template', value: text("keep OneLogin's default") },
        ],
      },
    ],
  },
  {
    id: 'jumpcloud',
    name: 'JumpCloud',
    doc: 'jumpcloud.md',
    screens: [
      {
        where: 'SSO Applications → your app → Identity Management',
        fields: [
          { field: 'API type', value: text('SCIM 2.0') },
          { field: 'Base URL', value: scim },
          { field: 'Token Key', value: token },
          { field: 'Test User Email', value: text('an address that is not already a userName in the directory') },
        ],
      },
    ],
  },
  {
    id: 'ping',
    name: 'Ping Identity',
    doc: 'ping.md',
    screens: [
      {
        where: 'PingOne: Integrations → Provisioning → New connection → Identity Store → SCIM Outbound',
        fields: [
          { field: 'SCIM Base URL', value: scim },
          { field: 'SCIM version', value: text('2.0') },
          { field: 'Authentication Method', value: text('OAuth 2 Bearer Token') },
          { field: 'OAuth Access Token', value: token },
          { field: 'Auth Type Header', value: text('Bearer') },
          { field: 'User filter expression', value: text('userName eq "%s"') },
        ],
      },
      {
        where: 'PingFederate: SP Connection → Outbound Provisioning → SCIM Connector → Target',
        fields: [
          { field: 'SCIM URL', value: scim },
          { field: 'SCIM Version', value: text('2.0') },
          { field: 'Authentication Method', value: text('OAuth 2 Bearer Token') },
          { field: 'Access Token', value: token },
          { field: 'Unique User Identifier', value: text('userName') },
        ],
      },
    ],
  },
];
