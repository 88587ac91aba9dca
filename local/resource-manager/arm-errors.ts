// Resource Manager answers errors as {"error":{"code","message"}}; the codes are the ones ARM itself returns.
import { ServiceRefusal } from "../service-refusal";

export class ArmError extends ServiceRefusal {
  get body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const missingApiVersion = (): ArmError =>
  new ArmError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");

export const subscriptionNotFound = (id: string): ArmError =>
  new ArmError(404, "SubscriptionNotFound", `The subscription '${id}' could not be found.`);

export const resourceGroupNotFound = (name: string): ArmError =>
  new ArmError(404, "ResourceGroupNotFound", `Resource group '${name}' could not be found.`);

export const siteNotFound = (name: string, group: string): ArmError =>
  new ArmError(
    404,
    "ResourceNotFound",
    `The Resource 'Microsoft.Web/sites/${name}' under resource group '${group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );

export const noRoute = (method: string, path: string): ArmError =>
  new ArmError(404, "InvalidResourceType", `${method} ${path} is not an operation the emulated Resource Manager serves.`);
