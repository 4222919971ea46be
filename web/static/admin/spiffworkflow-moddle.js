/* The spiffworkflow:* extension elements SpiffWorkflow 3.2 reads (its spiffworkflow.xsd), as a
 * moddle package for bpmn-js. Every element of that namespace is declared, because bpmn-js drops
 * an element of a known namespace whose type it does not know. */
(function () {
  'use strict';
  function text(name) {
    return { name: name, superClass: ['Element'], properties: [{ name: 'value', type: 'String', isBody: true }] };
  }
  function attrs(name, names) {
    return {
      name: name, superClass: ['Element'],
      properties: names.map(function (n) { return { name: n, type: 'String', isAttr: true }; })
    };
  }
  window.CwflowSpiffModdle = {
    name: 'SpiffWorkflow',
    prefix: 'spiffworkflow',
    uri: 'http://spiffworkflow.org/bpmn/schema/1.0/core',
    xml: { tagAlias: 'lowerCase' },
    associations: [],
    types: [
      { name: 'Properties', superClass: ['Element'],
        properties: [{ name: 'properties', type: 'Property', isMany: true }] },
      attrs('Property', ['name', 'value']),
      text('PreScript'), text('PostScript'), text('InstructionsForEndUser'), text('CalledDecisionId'),
      text('MessagePayload'), text('MessageVariable'), text('PayloadExpression'), text('VariableName'),
      text('PropertyId'), text('Expression'), text('InputJson'), text('ExpectedOutputJson'),
      { name: 'UnitTests', superClass: ['Element'],
        properties: [{ name: 'unitTests', type: 'UnitTest', isMany: true }] },
      { name: 'UnitTest', superClass: ['Element'], properties: [
        { name: 'id', type: 'String', isAttr: true },
        { name: 'inputJson', type: 'InputJson' },
        { name: 'expectedOutputJson', type: 'ExpectedOutputJson' }] },
      { name: 'ServiceTaskOperator', superClass: ['Element'], properties: [
        { name: 'id', type: 'String', isAttr: true },
        { name: 'resultVariable', type: 'String', isAttr: true },
        { name: 'parameters', type: 'Parameters' },
        { name: 'retry', type: 'Retry' }] },
      { name: 'Parameters', superClass: ['Element'],
        properties: [{ name: 'parameters', type: 'Parameter', isMany: true }] },
      attrs('Parameter', ['id', 'type', 'value']),
      attrs('Retry', ['retries', 'backoff_base']),
      { name: 'ProcessVariableCorrelation', superClass: ['Element'], properties: [
        { name: 'propertyId', type: 'PropertyId' },
        { name: 'expression', type: 'Expression' }] },
      { name: 'TaskMetadataValues', superClass: ['Element'],
        properties: [{ name: 'values', type: 'TaskMetadataValue', isMany: true }] },
      attrs('TaskMetadataValue', ['name', 'value'])
    ]
  };
}());
