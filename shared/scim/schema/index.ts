// The SCIM schema definitions and the registry built from them.
export * from '#scim/schema/types.ts';
export { attribute } from '#scim/schema/attribute.ts';
export { commonAttributes } from '#scim/schema/common.ts';
export { USER_SCHEMA_ID, userSchema } from '#scim/schema/user.ts';
export { ENTERPRISE_USER_SCHEMA_ID, enterpriseUserSchema } from '#scim/schema/enterprise-user.ts';
export { GROUP_SCHEMA_ID, groupSchema } from '#scim/schema/group.ts';
export {
  CUSTOM_EXTENSION_ENV,
  DEFAULT_CUSTOM_EXTENSION,
  customExtensionFromEnv,
  parseCustomExtension,
} from '#scim/schema/custom-extension.ts';
export {
  createRegistry,
  type AttributeResolver,
  type RegistryOptions,
  type ResolvedAttribute,
  type ResourceTypeName,
  type SchemaRegistry,
} from '#scim/schema/registry.ts';
