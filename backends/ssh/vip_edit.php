<?php
/*
 * carptop's VIP edit over SSH: what the API's VipSettingsController does
 * for add_item and del_item, done by the node's own PHP CLI on its own MVC
 * model. OPNsense has no configctl action that edits <virtualip>, and a
 * root shell may run the model directly, as core's own scripts do
 * (scripts/auth/add_user.php with script/load_phalcon.php). Checked against
 * opnsense/core (26.7): mvc/app/controllers/OPNsense/Interfaces/Api/
 * VipSettingsController.php, .../Base/ApiMutableModelControllerBase.php
 * (addBase, delBase, validate), mvc/app/models/OPNsense/Interfaces/Vip.php.
 *
 * How it travels (backends/ssh/ssh_vip.c): embedded in carptop at build
 * time, sent as the standard input of `/usr/local/bin/php` on an exec
 * channel. Nothing goes through a shell word, so root's csh never sees it.
 * The one variable part is the request below: carptop replaces the marker
 * with base64 of a JSON object it built with json-c from checked values
 * (address parsed with inet_pton, integers as integers, a description of
 * printable ASCII). base64 holds no quote, so the literal stays a literal.
 *
 * It prints one line: the JSON the API answers, {"result":"saved","uuid":..}
 * / {"result":"failed","validations":{..}} / {"result":"deleted"} /
 * {"result":"not found"}, or {"errorMessage":..} where the API throws a
 * UserException. The change is pending until `configctl interface vip
 * configure` applies it (a separate action, as reconfigure is over the API).
 */

$req = json_decode(base64_decode('@@CARPTOP_REQUEST@@'), true);

// The include_path of OPNsense's php.ini (/usr/local/etc/php.ini) holds
// /usr/local/opnsense/mvc: the same require as core's CLI scripts.
require_once('script/load_phalcon.php');

use OPNsense\Core\Config;
use OPNsense\Interfaces\Vip;

function carptop_reply($result)
{
    echo json_encode($result, JSON_UNESCAPED_SLASHES) . "\n";
}

/* The alias carptop means: an IP alias (never a CARP VIP: those carry the
 * VHID and its password) with this address and VHID, on this interface when
 * one is given. */
function carptop_find($mdl, $req)
{
    foreach ($mdl->vip->iterateItems() as $uuid => $vip) {
        if ((string)$vip->mode == 'ipalias' && (string)$vip->subnet == $req['address'] &&
            (string)$vip->vhid == (string)$req['vhid'] &&
            ($req['interface'] == '' || (string)$vip->interface == $req['interface'])) {
            return [$uuid, $vip];
        }
    }
    return [null, null];
}

/* No interface given: the alias goes where the VHID's CARP VIP is (the
 * model insists on that interface anyway). */
function carptop_carp_interface($mdl, $vhid)
{
    foreach ($mdl->vip->iterateItems() as $vip) {
        if ((string)$vip->mode == 'carp' && (string)$vip->vhid == (string)$vhid) {
            return (string)$vip->interface;
        }
    }
    return null;
}

/* ApiMutableModelControllerBase::validate for one node, then
 * VipSettingsController::handleFormValidations: messages of this node
 * only, under "vip.<field>", subnet and subnet_bits folded into network. */
function carptop_validations($mdl, $node)
{
    $out = [];
    foreach ($mdl->performValidation() as $msg) {
        if (strpos($msg->getField(), $node->__reference) === false) {
            continue;
        }
        $field = str_replace($node->__reference, 'vip', $msg->getField());
        if ($field == 'vip.subnet' || $field == 'vip.subnet_bits') {
            $field = 'vip.network';
        }
        $out[$field][] = $msg->getMessage();
    }
    return $out;
}

function carptop_add($mdl, $req)
{
    $interface = $req['interface'];
    if ($interface == '') {
        $interface = carptop_carp_interface($mdl, $req['vhid']);
        if ($interface === null) {
            return ['result' => 'failed', 'validations' => ['vip.vhid' =>
                sprintf('VHID %d must be defined on an interface as a CARP VIP first.', $req['vhid'])]];
        }
    }
    $node = $mdl->vip->Add();
    $node->setNodes([
        'mode' => 'ipalias',
        'interface' => $interface,
        'subnet' => $req['address'],
        'subnet_bits' => (string)$req['prefix'],
        'vhid' => (string)$req['vhid'],
        'descr' => $req['descr'],
    ]);
    $validations = carptop_validations($mdl, $node);
    if (!empty($validations)) {
        return ['result' => 'failed', 'validations' => $validations];
    }
    // addBase: serializeToConfig(false, true), then save.
    if ($mdl->serializeToConfig(false, true)) {
        Config::getInstance()->save();
    }
    return ['result' => 'saved', 'uuid' => $node->getAttribute('uuid')];
}

function carptop_delete($mdl, $req)
{
    list($uuid, $vip) = carptop_find($mdl, $req);
    if ($uuid === null) {
        return ['result' => 'not found'];
    }
    // delItemAction: an address that NAT rules use stays.
    $used = $mdl->whereUsed((string)$vip->subnet);
    if (!empty($used)) {
        return ['errorMessage' => 'Item in use by: ' . implode('; ', array_slice($used, 0, 5))];
    }
    $addr = (string)$vip->subnet;
    if (!$mdl->vip->del($uuid)) {
        return ['result' => 'not found'];
    }
    if ($mdl->serializeToConfig(false, true)) {
        Config::getInstance()->save();
    }
    // reconfigure_vips.php removes an address from the interface only when
    // this file names it: without it the address stays on the interface.
    // (An IPv6 link-local address needs "@<interface>": carptop's aliases
    // are VHID addresses, never link-local.)
    file_put_contents("/tmp/delete_vip_{$uuid}.todo", $addr . PHP_EOL, FILE_APPEND);
    return ['result' => 'deleted'];
}

if (!is_array($req) || !in_array($req['op'] ?? '', ['add', 'delete'], true)) {
    carptop_reply(['errorMessage' => 'carptop: malformed request']);
    exit(2);
}

Config::getInstance()->lock();
try {
    $mdl = new Vip();
    $result = $req['op'] == 'add' ? carptop_add($mdl, $req) : carptop_delete($mdl, $req);
} catch (Exception $e) {
    $result = ['errorMessage' => $e->getMessage()];
}
Config::getInstance()->unlock();
carptop_reply($result);
