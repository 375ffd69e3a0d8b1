<?php
namespace OPNsense\Interfaces;

use OPNsense\Base\BaseModel;
use OPNsense\Base\FieldTypes\ArrayField;
use OPNsense\Base\Messages\Message;
use OPNsense\Core\Carpsim;

/* Core's Vip model (mount /virtualip), loaded from the emulated node. The
 * validation messages are core's texts for the cases an IP alias meets. */
class Vip extends BaseModel
{
    public $vip;
    private $interfaces;

    public function __construct()
    {
        $state = Carpsim::state();
        $this->interfaces = $state['interfaces'];
        // Vip.xml's fields with their defaults.
        $this->vip = new ArrayField([
            'interface' => '', 'mode' => 'ipalias', 'subnet' => '', 'subnet_bits' => '', 'gateway' => '',
            'noexpand' => '0', 'nobind' => '0', 'password' => '', 'vhid' => '', 'advbase' => '1',
            'advskew' => '0', 'peer' => '', 'peer6' => '', 'nosync' => '0', 'descr' => '',
        ]);
        foreach ($state['vips'] as $v) {
            $this->vip->stubLoad($v['uuid'], [
                'interface' => $v['interface'], 'mode' => $v['mode'], 'subnet' => $v['subnet'],
                'subnet_bits' => $v['subnet_bits'], 'vhid' => $v['vhid'], 'descr' => $v['descr'],
            ]);
        }
    }

    public function performValidation($validateFullModel = false)
    {
        $messages = [];
        foreach ($this->vip->items as $uuid => $node) {
            if (!$node->stubNew) {
                continue;
            }
            $key = $node->__reference;
            if (!in_array($node->mode, ['ipalias', 'carp', 'proxyarp'], true)) {
                $messages[] = new Message('Option not in list.', "$key.mode");
            }
            if (!in_array($node->interface, $this->interfaces, true)) {
                $messages[] = new Message('Option not in list.', "$key.interface");
            }
            $v6 = strpos($node->subnet, ':') !== false;
            if (filter_var($node->subnet, FILTER_VALIDATE_IP) === false ||
                !preg_match('/^[0-9]+$/', $node->subnet_bits) || (int)$node->subnet_bits < 1 ||
                (int)$node->subnet_bits > ($v6 ? 128 : 32)) {
                $messages[] = new Message('A valid network address is required.', "$key.subnet");
            }
            $bits = (int)$node->subnet_bits;
            if (!$v6 && $bits >= 1 && $bits <= 30 && ip2long($node->subnet) !== false) {
                $sm = (0xffffffff << (32 - $bits)) & 0xffffffff;
                $ip = ip2long($node->subnet);
                if ($ip == ($ip & $sm)) {
                    $messages[] = new Message('You cannot use the network address.', "$key.subnet");
                } elseif ($ip == (($ip & $sm) | (0xffffffff ^ $sm))) {
                    $messages[] = new Message('You cannot use the broadcast address.', "$key.subnet");
                }
            }
            if ($node->vhid !== '' && (!preg_match('/^[0-9]+$/', $node->vhid) || $node->vhid < 1 || $node->vhid > 255)) {
                $messages[] = new Message(
                    'Invalid VHID number provided, Acceptable values for vhid are 1 to 255.',
                    "$key.vhid"
                );
            }
            if ($node->mode == 'ipalias' && $node->vhid !== '') {
                $carp = false;
                foreach ($this->vip->items as $other) {
                    $carp = $carp || ($other->mode == 'carp' && $other->vhid == $node->vhid &&
                        $other->interface == $node->interface);
                }
                if (!$carp) {
                    $messages[] = new Message(sprintf(
                        'VHID %s must be defined on interface %s as a CARP VIP first.',
                        $node->vhid,
                        $node->interface
                    ), "$key.vhid");
                }
            }
            foreach ($this->vip->items as $ouuid => $other) {
                if ($ouuid != $uuid && $other->subnet === $node->subnet) {
                    $messages[] = new Message('Address already assigned.', "$key.subnet");
                }
            }
        }
        return $messages;
    }

    public function whereUsed($address)
    {
        return [];
    }

    protected function stubChanges()
    {
        $lines = [];
        foreach ($this->vip->deleted as $uuid) {
            $lines[] = "del $uuid";
        }
        foreach ($this->vip->items as $uuid => $node) {
            if ($node->stubNew) {
                $lines[] = sprintf('add %s %s %s %s %s %s %s', $uuid, $node->interface, $node->mode, $node->subnet,
                    $node->subnet_bits, $node->vhid === '' ? '-' : $node->vhid, $node->descr);
            }
        }
        return $lines;
    }
}
