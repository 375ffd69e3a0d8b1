<?php
namespace OPNsense\Base;

/* Core's BaseModel as far as the VIP program uses it. serializeToConfig
 * queues the changes on Config; Config::save() sends them. */
abstract class BaseModel
{
    public function performValidation($validateFullModel = false)
    {
        return [];
    }

    public function getNodeByReference($reference)
    {
        $parts = explode('.', $reference);
        if (count($parts) == 2 && $parts[0] == 'vip') {
            return $this->vip->items[$parts[1]] ?? null;
        }
        return null;
    }

    abstract protected function stubChanges();

    public function serializeToConfig($validateFullModel = false, $disable_validation = false)
    {
        $messages = $this->performValidation($validateFullModel);
        if (count($messages) > 0 && !$disable_validation) {
            throw new \Exception('stub: ValidationException');
        }
        foreach ($this->stubChanges() as $line) {
            \OPNsense\Core\Config::getInstance()->stubQueue($line);
        }
        return true;
    }
}
